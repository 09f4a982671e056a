// Eigen as core/ uses it (dense matrices, Cholesky, LU/QR for checks, triangular solves, GEMM).
//
// Include this instead of Eigen's headers directly: GCC 12 reports false
// (maybe-)uninitialized warnings inside avx512fintrin.h when Eigen's AVX-512 packet code is
// inlined under -march=native (GCC bug 105593, fixed in GCC 13), which -Werror turns into
// build failures. The warnings are silenced for Eigen's headers only.
#ifndef MODELPRESS_CORE_SECOND_ORDER_EIGEN_H_
#define MODELPRESS_CORE_SECOND_ORDER_EIGEN_H_

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "Eigen/Cholesky"
#include "Eigen/Core"
#include "Eigen/LU"
#include "Eigen/QR"
#pragma GCC diagnostic pop

#endif  // MODELPRESS_CORE_SECOND_ORDER_EIGEN_H_
