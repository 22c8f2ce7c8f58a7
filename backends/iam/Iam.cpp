// Placeholder: the Iam backend is being written; until then it emits nothing.
#include "backends/Backend.h"

namespace plat::backends {
namespace {
class IamBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "iam"; }
  void emit(const BackendContext &, Output &) const override {}
};
} // namespace

std::unique_ptr<Backend> makeIamBackend() { return std::make_unique<IamBackend>(); }

} // namespace plat::backends
