// Placeholder: the SageMaker backend is being written; until then it emits nothing.
#include "backends/Backend.h"

namespace plat::backends {
namespace {
class SageMakerBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "sagemaker"; }
  void emit(const BackendContext &, Output &) const override {}
};
} // namespace

std::unique_ptr<Backend> makeSageMakerBackend() { return std::make_unique<SageMakerBackend>(); }

} // namespace plat::backends
