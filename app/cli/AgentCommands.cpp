#include "Cli.h"

namespace sp::cli {

void addAgentCommands(QList<Command> &) {}

} // namespace sp::cli
