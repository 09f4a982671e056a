// MeasureError: the ErrorReport of codes against the FP32 values they came from.
//
// Reconstructs each value as DequantizeValue(q) and fills every ErrorStats field as
// error_report.h defines it. The tensor total is accumulated over fixed-size blocks merged in
// order (or from the per-channel stats, in channel order), so it does not depend on the
// thread count. Per-channel stats follow the layout's axis (for per-tensor schemes, the
// scheme's axis, defaulting to 0).
#ifndef MODELPRESS_CORE_QUANT_MEASURE_ERROR_H_
#define MODELPRESS_CORE_QUANT_MEASURE_ERROR_H_

#include <cstdint>

#include "core/quant/error_report.h"
#include "core/quant/param_layout.h"
#include "core/quant/quant_scheme.h"

namespace modelpress {

ErrorReport MeasureError(const float* x, const uint8_t* codes, const ParamLayout& layout,
                         const QuantScheme& scheme, const float* scales, const int32_t* zero_points,
                         bool per_channel);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_MEASURE_ERROR_H_
