#include "Cli.h"

namespace sp::cli {

void addRolloutCommands(QList<Command> &) {}

} // namespace sp::cli
