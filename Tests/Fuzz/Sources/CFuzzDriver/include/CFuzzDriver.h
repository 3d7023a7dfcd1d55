#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (LLVM 11 and later), called from the executable's entry point:
/// SwiftPM names an executable's entry point `<module>_main` and aliases `main` to it, so
/// libFuzzer's own `main` is never linked in.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
