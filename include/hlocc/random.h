/// Counter-based random numbers with explicit keys, bit for bit like jax.random with its
/// threefry2x32 PRNG in the classic (non-partitionable) mode. A key is a u32[2] tensor; every
/// function is a pure function of its key, built from HLO integer operations (never an HLO rng op),
/// so eager runs, traced programs and every backend give the same bits.
#pragma once

#include <cstdint>
#include <vector>

#include "hlocc/tensor.h"
#include "hlocc/where.h"

namespace hlocc::random {

/// jax.random.PRNGKey(seed): u32[2] {seed >> 32, seed & 0xffffffff}.
Tensor key(uint64_t seed, Where where = Where::current());

/// `num` new keys, u32[num, 2], independent of each other and of `key` (jax.random.split).
Tensor split(const Tensor& key, int64_t num = 2, Where where = Where::current());

/// A new key derived from `key` and `data` (jax.random.fold_in).
Tensor fold_in(const Tensor& key, uint32_t data, Where where = Where::current());

/// Uniformly random bits of an unsigned dtype (u8, u16, u32 or u64), like jax.random.bits.
Tensor bits(const Tensor& key, const std::vector<int64_t>& dims, DType dtype = DType::U32,
            Where where = Where::current());

/// Uniform samples in [minval, maxval) of a float dtype (f16, bf16, f32, f64), like
/// jax.random.uniform.
Tensor uniform(const Tensor& key, const std::vector<int64_t>& dims, DType dtype = DType::F32,
               double minval = 0, double maxval = 1, Where where = Where::current());

/// Standard normal samples of a float dtype, sqrt(2) * erfinv(uniform in (-1, 1)) like
/// jax.random.normal.
Tensor normal(const Tensor& key, const std::vector<int64_t>& dims, DType dtype = DType::F32,
              Where where = Where::current());

/// pred samples that are true with probability p in [0, 1] (jax.random.bernoulli with a float32 p).
Tensor bernoulli(const Tensor& key, double p, const std::vector<int64_t>& dims,
                 Where where = Where::current());

/// The Threefry-2x32 hash (20 rounds) of u32 `count` under a u32[2] key, as
/// jax.random.threefry_2x32: the flattened count, zero-padded to even length, is split in halves
/// that form the two words of each block; the result has count's shape.
Tensor threefry_2x32(const Tensor& key, const Tensor& count, Where where = Where::current());

}  // namespace hlocc::random
