// Placeholder: the Kubernetes backend is being written; until then it emits nothing.
#include "backends/Backend.h"

namespace plat::backends {
namespace {
class KubernetesBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "k8s"; }
  void emit(const BackendContext &, Output &) const override {}
};
} // namespace

std::unique_ptr<Backend> makeKubernetesBackend() { return std::make_unique<KubernetesBackend>(); }

} // namespace plat::backends
