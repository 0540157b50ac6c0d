#include "Cli.h"

namespace sp::cli {

void addSyncCommands(QList<Command> &commands)
{
    Q_UNUSED(commands);
}

} // namespace sp::cli
