#include "pc_process_context.h"

static _Thread_local pc_process_context pc_context;

pc_process_context pc_process_context_get(void) {
    return pc_context;
}

void pc_process_context_set(pc_process_context context) {
    pc_context = context;
}
