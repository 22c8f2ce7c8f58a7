#include "backends/Common.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace plat::backends {

namespace fields = sema::fields;

bool Output::add(std::string path, std::string bytes, Span origin) {
  auto [it, added] = files_.try_emplace(std::move(path));
  if (!added) {
    conflicts_.push_back(Conflict{it->first, "", origin});
    return false;
  }
  it->second = std::move(bytes);
  return true;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PLAT_SHA_NI 1
namespace {

// SHA-256 with the x86 SHA extensions: the backends hash every object they
// write (hundreds of megabytes for a large workspace), and llvm::SHA256 in
// plain C++ is ~8x slower. Same digest; tests/unit/k8s_test.cpp compares
// the two.
alignas(16) const uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

__attribute__((target("sha,sse4.1,ssse3"))) void sha256Blocks(uint32_t state[8], const unsigned char *data,
                                                                  size_t blocks) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[0]));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);          // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  for (; blocks; --blocks, data += 64) {
    __m128i abef = state0, cdgh = state1;
    __m128i w[16];
    for (int i = 0; i < 16; ++i) {
      if (i < 4) {
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(data + 16 * i)), mask);
      } else {
        __m128i x = _mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]), _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
        w[i] = _mm_sha256msg2_epu32(x, w[i - 1]);
      }
      __m128i msg = _mm_add_epi32(w[i], _mm_load_si128(reinterpret_cast<const __m128i *>(&kSha256K[4 * i])));
      state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
      msg = _mm_shuffle_epi32(msg, 0x0E);
      state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF
  _mm_storeu_si128(reinterpret_cast<__m128i *>(&state[0]), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i *>(&state[4]), state1);
}

bool hasShaNi() {
  static const bool has = [] {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
      return false; // SSE4.1, SSSE3
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
      return false;
    return (b & (1u << 29)) != 0; // SHA
  }();
  return has;
}

void shaNiDigest(llvm::StringRef bytes, uint32_t state[8]) {
  const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::memcpy(state, init, sizeof init);
  size_t full = bytes.size() / 64;
  const unsigned char *data = reinterpret_cast<const unsigned char *>(bytes.data());
  sha256Blocks(state, data, full);
  // The tail, 0x80, zeros and the length in bits, big-endian: one or two
  // more blocks.
  unsigned char last[128] = {};
  size_t rest = bytes.size() - full * 64;
  std::memcpy(last, data + full * 64, rest);
  last[rest] = 0x80;
  size_t tailBlocks = rest + 1 + 8 <= 64 ? 1 : 2;
  uint64_t bits = static_cast<uint64_t>(bytes.size()) * 8;
  for (int i = 0; i < 8; ++i)
    last[tailBlocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  sha256Blocks(state, last, tailBlocks);
}

std::string shaNiHash(llvm::StringRef bytes) {
  uint32_t state[8];
  shaNiDigest(bytes, state);
  return fmt::format("{:08x}{:08x}", state[0], state[1]);
}

} // namespace
#endif

std::string contentHash(llvm::StringRef bytes) {
#ifdef PLAT_SHA_NI
  if (hasShaNi())
    return shaNiHash(bytes);
#endif
  return contentHashPortable(bytes);
}

std::string contentHashPortable(llvm::StringRef bytes) {
  llvm::SHA256 sha;
  sha.update(bytes);
  // LLVM 14 returns the digest as a StringRef over 32 raw bytes.
  llvm::StringRef digest = sha.final();
  return llvm::toHex(digest.take_front(8), /*LowerCase=*/true);
}

std::string sha256Hex(llvm::StringRef bytes) {
#ifdef PLAT_SHA_NI
  if (hasShaNi()) {
    uint32_t state[8];
    shaNiDigest(bytes, state);
    std::string out;
    for (uint32_t word : state)
      out += fmt::format("{:08x}", word);
    return out;
  }
#endif
  llvm::SHA256 sha;
  sha.update(bytes);
  return llvm::toHex(sha.final(), /*LowerCase=*/true);
}

std::string utf8Prefix(llvm::StringRef s, size_t maxBytes) {
  if (s.size() <= maxBytes)
    return s.str();
  size_t end = maxBytes;
  // Back up over continuation bytes to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
    --end;
  return s.substr(0, end).str();
}

std::string sourceLocation(const BackendContext &ctx, const sema::Decl &decl) {
  LineCol lc = ctx.sources.lineCol(decl.nameSpan);
  return fmt::format("{}:{}", ctx.sources.file(decl.nameSpan.file).path(), lc.line);
}

std::string kebab(llvm::StringRef name) {
  std::string out = name.str();
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

static WorkspaceInfo computeWorkspaceInfo(const BackendContext &ctx) {
  WorkspaceInfo info;
  sema::DeclId ws = ctx.program.workspace;
  if (ws == sema::kNoDecl)
    return info;
  info.name = ctx.program.decl(ws).name;
  auto text = [&](sema::FieldKey field) {
    const sema::Value *v = ctx.env.get(ws, field);
    return v ? v->text : std::string();
  };
  info.account = text(fields::workspace::account);
  info.region = text(fields::workspace::region);
  info.partition = text(fields::workspace::partition);
  if (info.partition.empty())
    info.partition = "aws";
  std::replace(info.partition.begin(), info.partition.end(), '_', '-');
  info.cluster = text(fields::workspace::cluster);
  info.oidcProvider = text(fields::workspace::oidc_provider);
  info.airflowRole = text(fields::workspace::airflow_role);
  info.artifactBucket = text(fields::workspace::artifact_bucket);
  if (info.artifactBucket.empty())
    info.artifactBucket = fmt::format("{}-sagemaker-artifacts-{}", kebab(info.name), info.account);
  return info;
}

const WorkspaceInfo &workspaceInfo(const BackendContext &ctx) {
  std::call_once(ctx.cache.workspaceOnce, [&] {
    ctx.cache.workspace = std::make_shared<const WorkspaceInfo>(computeWorkspaceInfo(ctx));
  });
  return *ctx.cache.workspace;
}

const EdgesInto &edgesInto(const BackendContext &ctx) {
  std::call_once(ctx.cache.edgesIntoOnce,
                 [&] { ctx.cache.edgesInto = std::make_shared<const EdgesInto>(ctx.env); });
  return *ctx.cache.edgesInto;
}

EdgesInto::EdgesInto(const sema::EnvModel &env) {
  sema::DeclId max = 0;
  for (const sema::Edge &e : env.edges)
    max = std::max(max, e.to);
  start_.assign(env.edges.empty() ? 1 : max + 2, 0);
  for (const sema::Edge &e : env.edges)
    ++start_[e.to + 1];
  for (size_t i = 1; i < start_.size(); ++i)
    start_[i] += start_[i - 1];
  edges_.resize(env.edges.size());
  std::vector<uint32_t> next(start_.begin(), start_.end() - 1);
  // Edges are sorted by (from, kind, to): a stable fill keeps each
  // declaration's incoming edges in (from, kind) order.
  for (const sema::Edge &e : env.edges)
    edges_[next[e.to]++] = &e;
}

llvm::ArrayRef<const sema::Edge *> EdgesInto::of(sema::DeclId to) const {
  if (to + 1 >= start_.size())
    return {};
  return llvm::ArrayRef<const sema::Edge *>(edges_.data() + start_[to], start_[to + 1] - start_[to]);
}

} // namespace plat::backends
