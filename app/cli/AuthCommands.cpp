#include "Cli.h"

namespace sp::cli {

void addAuthCommands(QList<Command> &commands)
{
    Q_UNUSED(commands);
}

} // namespace sp::cli
