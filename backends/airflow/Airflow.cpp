// Placeholder: the Airflow backend is being written; until then it emits nothing.
#include "backends/Backend.h"

namespace plat::backends {
namespace {
class AirflowBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "airflow"; }
  void emit(const BackendContext &, Output &) const override {}
};
} // namespace

std::unique_ptr<Backend> makeAirflowBackend() { return std::make_unique<AirflowBackend>(); }

} // namespace plat::backends
