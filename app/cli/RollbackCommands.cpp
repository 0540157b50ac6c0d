#include "Cli.h"

namespace sp::cli {

void addRollbackCommands(QList<Command> &) {}

} // namespace sp::cli
