// The start and the end of the cpu backend's OpenMP regions told to ThreadSanitizer, which cannot see
// them: libgomp is not built with TSan, so without these every read a team thread makes of what the
// calling thread wrote before the region (and the caller's reads of what the team wrote) would be a
// race to it. Nothing in other builds.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define FFINT8_TSAN_OMP 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FFINT8_TSAN_OMP 1
#endif
#endif

#ifdef FFINT8_TSAN_OMP
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
// On a function that holds a region. The compiler outlines the region into a function of its own
// (which takes this attribute along) that loads the region's shared variables before its first
// statement, so before enterRegion(); such a function only hands the team its arguments, while the
// work it calls (the bodies, the kernels) stays instrumented and is judged by TSan.
#define FFINT8_OMP_REGION_HOLDER __attribute__((no_sanitize("thread")))
#else
#define FFINT8_OMP_REGION_HOLDER
#endif

namespace ffint8::omptsan {

#ifdef FFINT8_TSAN_OMP
// One pair of tokens for every region: a team thread must find them by address alone, since reading
// anything the calling thread wrote (the region's shared variables) before the acquire would itself
// be reported. Regions of different calling threads are thereby ordered too: at worst a missed
// report, never a false one.
inline char forkToken;
inline char joinToken;
// The calling thread, just before the region.
inline void beforeRegion()
{
    __tsan_release(&forkToken);
}
// Each team thread, first thing in the region.
inline void enterRegion()
{
    __tsan_acquire(&forkToken);
}
// Each team thread, last thing in the region.
inline void leaveRegion()
{
    __tsan_release(&joinToken);
}
// The calling thread, just after the region.
inline void afterRegion()
{
    __tsan_acquire(&joinToken);
}
#else
inline void beforeRegion() { }
inline void enterRegion() { }
inline void leaveRegion() { }
inline void afterRegion() { }
#endif

} // namespace ffint8::omptsan
