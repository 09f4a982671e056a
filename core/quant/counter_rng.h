// CounterRng: a stateless, counter-based uniform generator for stochastic rounding.
//
// Uniform(i) is a pure function of (seed, i): SplitMix64's output function applied to the
// i-th state of a Weyl sequence started from the mixed seed. Element i of a tensor always
// gets the same draw, whichever thread handles it, so codes do not depend on thread count.
#ifndef MODELPRESS_CORE_QUANT_COUNTER_RNG_H_
#define MODELPRESS_CORE_QUANT_COUNTER_RNG_H_

#include <cstdint>

namespace modelpress {

class CounterRng {
 public:
  explicit CounterRng(uint64_t seed) : key_(Mix(seed)) {}

  // Uniform in [0, 1) with 24 random bits (every value exactly representable in float).
  float Uniform(uint64_t counter) const {
    const uint64_t bits = Mix(key_ + (counter + 1) * kGolden);
    return static_cast<float>(bits >> 40) * 0x1.0p-24f;
  }

 private:
  static constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t key_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_QUANT_COUNTER_RNG_H_
