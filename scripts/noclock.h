/* Included into fast-diff-match-patch when scripts/build_native.py builds it from source.
 *
 * Its diff_bisect asks clock() for the processor time once per step, to stop at a time limit; that
 * is a system call each time (about a tenth of policywatch's time on a rewritten document).
 * policywatch never sets a limit (diffs/words.py passes 0: results must not depend on the machine's
 * speed), and with none the deadline is "never", so what clock() answers cannot change a result.
 * Here it answers 0 without asking. A caller that did set a limit would get no limit at all.
 */
#ifndef POLICYWATCH_NOCLOCK_H
#define POLICYWATCH_NOCLOCK_H
#include <time.h>
#ifdef __cplusplus
#include <ctime>
#endif
static inline clock_t policywatch_no_clock(void) { return 0; }
#define clock policywatch_no_clock
#endif
