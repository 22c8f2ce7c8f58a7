#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "driver/Driver.h"
#include "driver/Init.h"
#include "llvm/Support/raw_ostream.h"

namespace fs = std::filesystem;

static std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("platc init writes examples/minimal", "[init]") {
  // examples/minimal is documented as what `platc init` produces.
  std::map<std::string, std::string> files = plat::initFiles("minimal");
  fs::path example = fs::path(PLAT_SOURCE_DIR) / "examples" / "minimal";
  REQUIRE(files.size() == 2);
  CHECK(files["platform.plat"] == slurp(example / "platform.plat"));
  std::string ws = slurp(example / "workspace.plat");
  // The example's header names its own path; otherwise identical.
  CHECK(files["workspace.plat"].substr(files["workspace.plat"].find("workspace minimal")) ==
        ws.substr(ws.find("workspace minimal")));
}

TEST_CASE("platc init creates a workspace that checks clean and refuses to overwrite", "[init]") {
  fs::path dir = fs::temp_directory_path() / "plat-init-test" / "my-shop";
  fs::remove_all(dir.parent_path());
  std::string outText, errText;
  llvm::raw_string_ostream out(outText), err(errText);
  REQUIRE(plat::runDriver({"init", dir.string()}, out, err, false) == 0);
  CHECK(fs::exists(dir / "workspace.plat"));
  CHECK(slurp(dir / "workspace.plat").find("workspace my_shop") != std::string::npos);
  REQUIRE(plat::runDriver({"check", dir.string()}, out, err, false) == 0);
  std::string before = slurp(dir / "workspace.plat");
  CHECK(plat::runDriver({"init", dir.string()}, out, err, false) == 2);
  CHECK(slurp(dir / "workspace.plat") == before);
  fs::remove_all(dir.parent_path());
}
