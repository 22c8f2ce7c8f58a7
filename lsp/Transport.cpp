#include "lsp/Transport.h"

#include <cstdlib>

#include "llvm/ADT/StringRef.h"

namespace plat::lsp {

namespace {

// One header line without its CRLF (a bare LF is accepted too); false at EOF.
bool readLine(std::FILE *in, std::string &line) {
  line.clear();
  int c;
  while ((c = std::fgetc(in)) != EOF) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      return true;
    }
    line.push_back(static_cast<char>(c));
    if (line.size() > 4096) // no header is this long: not LSP framing
      return true;
  }
  return !line.empty();
}

constexpr size_t kMaxMessageBytes = 256u << 20;

} // namespace

ReadStatus readMessage(std::FILE *in, std::string &body, std::string &problem) {
  std::string line;
  size_t length = 0;
  bool haveLength = false;
  problem.clear();
  bool sawHeader = false;
  for (;;) {
    if (!readLine(in, line))
      return ReadStatus::Eof;
    if (line.empty()) {
      if (!sawHeader)
        continue; // blank lines between messages
      break;
    }
    sawHeader = true;
    llvm::StringRef l(line);
    // After a message whose header was unreadable, its body runs into the
    // next header line: resynchronise on `Content-Length`.
    if (size_t at = l.find_insensitive("content-length:"); at != llvm::StringRef::npos)
      l = l.drop_front(at);
    auto [name, value] = l.split(':');
    if (name.trim().equals_insensitive("content-length")) {
      unsigned long long n = 0;
      if (value.trim().getAsInteger(10, n) || n > kMaxMessageBytes) {
        problem = "bad Content-Length header: " + line.substr(0, 200);
        haveLength = false;
        // Keep reading to the end of this header part.
        continue;
      }
      length = static_cast<size_t>(n);
      haveLength = true;
    }
  }
  if (!haveLength) {
    if (problem.empty())
      problem = "message without a Content-Length header";
    return ReadStatus::BadHeader;
  }
  body.resize(length);
  size_t got = length ? std::fread(body.data(), 1, length, in) : 0;
  if (got != length)
    return ReadStatus::Eof;
  return ReadStatus::Message;
}

void Writer::write(const std::string &body) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::fprintf(out_, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out_);
  std::fflush(out_);
}

} // namespace plat::lsp
