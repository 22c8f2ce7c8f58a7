// The JSON-RPC transport of the language server: LSP's base protocol, a
// header part (`Content-Length: N`) and N bytes of JSON, over a pair of
// streams (stdin and stdout for `platc lsp`).
//
// This layer knows framing only; it never looks inside a message.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace plat::lsp {

enum class ReadStatus { Message, Eof, BadHeader };

// Reads one framed message body from `in`. BadHeader: the header part was
// malformed (no or unreadable Content-Length); the reader resynchronises on
// the next header, so the server can answer with an error and carry on.
ReadStatus readMessage(std::FILE *in, std::string &body, std::string &problem);

// Writes framed messages; safe to call from several threads.
class Writer {
public:
  explicit Writer(std::FILE *out) : out_(out) {}
  void write(const std::string &body);

private:
  std::FILE *out_;
  std::mutex mutex_;
};

} // namespace plat::lsp
