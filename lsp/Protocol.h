// Protocol helpers shared by the server and the features: positions in the
// negotiated encoding, ranges, URIs, JSON-RPC error codes.
#pragma once

#include <string>

#include "base/Source.h"
#include "nlohmann/json.hpp"

namespace plat::lsp {

using json = nlohmann::json;

// LSP 3.17 `positionEncoding`: UTF-16 unless the client offered UTF-8.
enum class Encoding { Utf16, Utf8 };

// JSON-RPC and LSP error codes.
namespace errc {
inline constexpr int ParseError = -32700;
inline constexpr int InvalidRequest = -32600;
inline constexpr int MethodNotFound = -32601;
inline constexpr int InvalidParams = -32602;
inline constexpr int InternalError = -32603;
inline constexpr int ServerNotInitialized = -32002;
inline constexpr int RequestFailed = -32803;
inline constexpr int RequestCancelled = -32800;
} // namespace errc

json position(const SourceFile &file, uint32_t offset, Encoding enc);
json range(const SourceFile &file, uint32_t begin, uint32_t end, Encoding enc);
// Byte offset of an LSP position (clamped to the line and the file).
uint32_t offsetOf(const SourceFile &file, const json &position, Encoding enc);

// file:///a/b%20c.plat <-> /a/b c.plat. Empty when the URI is not a file URI.
std::string pathFromUri(const std::string &uri);
std::string uriFromPath(const std::string &path);

} // namespace plat::lsp
