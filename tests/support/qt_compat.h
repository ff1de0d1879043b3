// Qt Test macros newer than Qt 6.2 (JetPack 6 has 6.2.4), defined from the ones 6.2 has.
#pragma once

#include <QtTest>

#ifndef QVERIFY_THROWS_EXCEPTION
// Qt 6.3's QVERIFY_THROWS_EXCEPTION(type, expression...) as Qt 6.2's QVERIFY_EXCEPTION_THROWN.
#define QVERIFY_THROWS_EXCEPTION(exceptiontype, ...) QVERIFY_EXCEPTION_THROWN((__VA_ARGS__), exceptiontype)
#endif
