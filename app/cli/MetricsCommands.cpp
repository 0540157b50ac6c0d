#include "Cli.h"

namespace sp::cli {

void addMetricsCommands(QList<Command> &) {}

} // namespace sp::cli
