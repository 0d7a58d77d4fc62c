/** Exit codes of every tollgate command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** `policy test`: a test failed, erred or was skipped (as `opa test`). */
export const EXIT_TESTS_FAILED = 2;
