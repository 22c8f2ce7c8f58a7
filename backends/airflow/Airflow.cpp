// The Airflow backend: one DAG file per pipeline and one per model that
// retrains, under airflow/dags/ (see Dags.h and docs/backends/airflow.md).
#include "backends/airflow/Dags.h"

namespace plat::backends {
namespace {

class AirflowBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "airflow"; }

  void emit(const BackendContext &ctx, Output &out) const override {
    for (const sema::Decl &decl : ctx.program.decls) {
      if (decl.fromStdlib || decl.id >= ctx.env.exists.size() || !ctx.env.exists[decl.id])
        continue;
      switch (decl.kindId) {
      case sema::DeclKind::Pipeline:
        out.add("airflow/dags/" + decl.name + ".py", airflow::pipelineDag(ctx, decl.id),
                decl.nameSpan);
        break;
      case sema::DeclKind::Model:
        if (auto dag = airflow::trainingDag(ctx, decl.id))
          out.add("airflow/dags/train_" + decl.name + ".py", std::move(*dag), decl.nameSpan);
        break;
      // Services run on Kubernetes and agents act through IAM; the rest
      // are data, people or catalogue entries that Airflow never runs.
      case sema::DeclKind::Workspace:
      case sema::DeclKind::Environment:
      case sema::DeclKind::Team:
      case sema::DeclKind::Service:
      case sema::DeclKind::Dataset:
      case sema::DeclKind::Agent:
      case sema::DeclKind::Policy:
      case sema::DeclKind::Instance:
      case sema::DeclKind::Framework:
      case sema::DeclKind::Region:
        break;
      }
    }
  }
};

} // namespace

std::unique_ptr<Backend> makeAirflowBackend() { return std::make_unique<AirflowBackend>(); }

} // namespace plat::backends
