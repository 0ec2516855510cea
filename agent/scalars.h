#ifndef EXC_SCALARS_H
#define EXC_SCALARS_H

#include "agent.h"

int exc_scalars_register(void);
void exc_scalars_unregister(void);
/* Value of exConnAgent scalar n (1..10). */
bool exc_scalar_value(unsigned which, exc_val *v);

#endif
