#pragma once

#include "Flag.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

namespace sp {

// Turns a workspace snapshot into a flagd flag-definition file (flagd schema v0) that makes any
// OpenFeature flagd provider evaluate exactly like sp::Evaluator:
//  - every flag is boolean with variants on/off;
//  - a flag that is off, killed, or has an off prerequisite chain is published with defaultVariant
//    "off" and no targeting, so a service gets false whatever default its code passes;
//  - otherwise targeting is {"if": [condition, "on", "off"]} where condition inlines the
//    prerequisites' conditions, the segments and flagd's fractional split over
//    {"cat": [flagKey, targetingKey]} with weights on: 10·P, off: 1000 − 10·P.
// Output is deterministic (sorted keys, no timestamps): export and publish give identical bytes.
class FlagdExporter
{
public:
    static QJsonObject toJson(const FlagSnapshot &snapshot);
    static QByteArray toBytes(const FlagSnapshot &snapshot);

    // The JSONLogic condition under which flag key is on (true/false literals when constant).
    static QJsonValue condition(const FlagSnapshot &snapshot, const QString &key);
};

} // namespace sp
