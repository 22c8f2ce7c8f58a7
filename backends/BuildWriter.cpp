#include "backends/BuildWriter.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "fmt/format.h"

namespace fs = std::filesystem;

namespace plat::backends {

static std::string uniqueSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files) {
  std::error_code ec;
  fs::path target = fs::absolute(dir, ec).lexically_normal();
  if (target.filename().empty())
    target = target.parent_path();
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec))
      return fmt::format("`{}` exists and is not a folder", dir);
    bool empty = fs::is_empty(target, ec);
    if (!empty && !fs::exists(target / kOutputMarker, ec))
      return fmt::format("`{}` is not empty and was not written by platc (no {} file); "
                         "refusing to replace it",
                         dir, kOutputMarker);
  }
  fs::path parent = target.parent_path();
  fs::create_directories(parent, ec);
  if (ec)
    return fmt::format("cannot create `{}`: {}", parent.string(), ec.message());
  fs::path tmp = parent / (target.filename().string() + ".tmp-" + uniqueSuffix());
  fs::create_directories(tmp, ec);
  if (ec)
    return fmt::format("cannot create `{}`: {}", tmp.string(), ec.message());
  auto fail = [&](const std::string &why) {
    std::error_code ignore;
    fs::remove_all(tmp, ignore);
    return why;
  };
  auto write = [&](const fs::path &path, const std::string &bytes) -> std::string {
    std::error_code e;
    fs::create_directories(path.parent_path(), e);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out)
      return fmt::format("cannot write `{}`", path.string());
    return {};
  };
  for (const auto &[rel, bytes] : files) {
    fs::path relPath(rel);
    if (relPath.is_absolute() || rel.find("..") != std::string::npos)
      return fail(fmt::format("refusing to write outside the output folder: `{}`", rel));
    if (std::string why = write(tmp / relPath, bytes); !why.empty())
      return fail(why);
  }
  if (std::string why = write(tmp / kOutputMarker,
                              "This folder is written by platc build and replaced as a whole.\n");
      !why.empty())
    return fail(why);

  // Swap: old → .old-XXXX, tmp → target, then delete the old one.
  fs::path old;
  if (fs::exists(target, ec)) {
    old = parent / (target.filename().string() + ".old-" + uniqueSuffix());
    fs::rename(target, old, ec);
    if (ec)
      return fail(fmt::format("cannot move the previous output aside: {}", ec.message()));
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code restore;
    if (!old.empty())
      fs::rename(old, target, restore);
    return fail(fmt::format("cannot move the new output into place: {}", ec.message()));
  }
  if (!old.empty())
    fs::remove_all(old, ec);
  return {};
}

} // namespace plat::backends
