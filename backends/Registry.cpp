// The list of backends. A backend is added here and nowhere else.
#include "backends/Backend.h"

namespace plat::backends {

std::unique_ptr<Backend> makeKubernetesBackend();
std::unique_ptr<Backend> makeIamBackend();
std::unique_ptr<Backend> makeSageMakerBackend();
std::unique_ptr<Backend> makeAirflowBackend();

std::vector<std::unique_ptr<Backend>> allBackends() {
  std::vector<std::unique_ptr<Backend>> out;
  out.push_back(makeKubernetesBackend());
  out.push_back(makeIamBackend());
  out.push_back(makeSageMakerBackend());
  out.push_back(makeAirflowBackend());
  return out;
}

} // namespace plat::backends
