#include "Cli.h"

namespace sp::cli {

void addMapCommands(QList<Command> &commands)
{
    Q_UNUSED(commands);
}

} // namespace sp::cli
