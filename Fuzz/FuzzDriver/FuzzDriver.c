/* Only the declaration in FuzzDriver.h: the definition is libFuzzer's. */
#include "FuzzDriver.h"
