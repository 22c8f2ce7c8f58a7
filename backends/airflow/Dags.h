// Airflow 2.x DAG files from pipelines and retraining models.
//
// Split from the Backend class so the unit tests can render one DAG and look
// at it. See docs/backends/airflow.md for the shape of the files and the
// rules that keep .plat values from changing the program or being rendered
// by Jinja.
#pragma once

#include <optional>
#include <string>

#include "backends/Backend.h"

namespace plat::backends::airflow {

// `airflow/dags/<pipeline>.py`: the pipeline's DAG, header included.
std::string pipelineDag(const BackendContext &ctx, sema::DeclId pipeline);

// `airflow/dags/train_<model>.py` for a model whose `train` block has a
// `schedule` or `retrain_on`; nullopt when it has neither, or when no
// training image exists for the workspace region (the SageMaker manifest
// says why).
std::optional<std::string> trainingDag(const BackendContext &ctx, sema::DeclId model);

// The Kubernetes quantity for CPU cores (`250m`, `2`) and for bytes of
// memory (`256Mi`, `1Gi`, `1500000`), whatever unit the source used.
std::string cpuQuantity(double cores);
std::string memoryQuantity(double bytes);

} // namespace plat::backends::airflow
