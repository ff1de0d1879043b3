// The source of the targets that make the tests' precompiled headers (tests/CMakeLists.txt): the
// headers are what they are for; this file only gives the compiler a translation unit.
