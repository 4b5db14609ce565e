#ifndef PARADIFFUSE_CPNG_SHIM_H
#define PARADIFFUSE_CPNG_SHIM_H
#include <png.h>
#endif
