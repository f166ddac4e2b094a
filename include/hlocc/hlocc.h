/// The hlocc public API: write array programs as ordinary C++, stage them whole into HLO.
#pragma once

#include "hlocc/array.h"
#include "hlocc/control_flow.h"
#include "hlocc/conv.h"
#include "hlocc/dtype.h"
#include "hlocc/error.h"
#include "hlocc/host_array.h"
#include "hlocc/indexing.h"
#include "hlocc/linalg.h"
#include "hlocc/ops.h"
#include "hlocc/pytree.h"
#include "hlocc/random.h"
#include "hlocc/reductions.h"
#include "hlocc/sorting.h"
#include "hlocc/tensor.h"
#include "hlocc/trace.h"
#include "hlocc/where.h"
