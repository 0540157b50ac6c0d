<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AgentCommands</name>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a duration between 100ms and 24h (examples: 10s, 500ms, 2m).</source>
        <translation>%1: „%2“ ist keine Dauer zwischen 100ms und 24h (Beispiele: 10s, 500ms, 2m).</translation>
    </message>
    <message>
        <source>Cannot set up signal handling: %1</source>
        <translation>Die Signalbehandlung kann nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Lost the controller lock; it is now held by %1. Stopping.</source>
        <translation>Die Controller-Sperre ging verloren; sie wird jetzt gehalten von: %1. Der Agent wird beendet.</translation>
    </message>
    <message>
        <source>Controller tick failed: %1</source>
        <translation>Controller-Durchlauf fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Webhook delivery failed: %1</source>
        <translation>Webhook-Zustellung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Cannot write the controller heartbeat: %1</source>
        <translation>Das Lebenszeichen des Controllers kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>the controller already runs in %1</source>
        <translation>der Controller läuft bereits: %1</translation>
    </message>
    <message>
        <source>agent running on %1: controller lock held, one tick every %2 (stop with SIGTERM or Ctrl+C)</source>
        <translation>Agent läuft auf %1: Controller-Sperre gehalten, ein Durchlauf alle %2 (beenden mit SIGTERM oder Strg+C)</translation>
    </message>
    <message>
        <source>agent stopped</source>
        <translation>Agent beendet</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <source>delivered up to decision %1</source>
        <translation>zugestellt bis Entscheidung %1</translation>
    </message>
    <message>
        <source>Why (kept in the audit log).</source>
        <translation>Begründung (wird im Audit-Protokoll festgehalten).</translation>
    </message>
    <message>
        <source>Run the rollout controller headless: takes the controller lock, ticks, delivers webhooks, stops on SIGTERM.</source>
        <translation>Den Rollout-Controller ohne Oberfläche ausführen: übernimmt die Controller-Sperre, führt Durchläufe aus, stellt Webhooks zu, endet bei SIGTERM.</translation>
    </message>
    <message>
        <source>Time between ticks (default 10s; e.g. 500ms, 30s, 2m).</source>
        <translation>Zeit zwischen den Durchläufen (Vorgabe 10s; z. B. 500ms, 30s, 2m).</translation>
    </message>
    <message>
        <source>Run one tick, deliver webhooks and exit.</source>
        <translation>Einen Durchlauf ausführen, Webhooks zustellen und beenden.</translation>
    </message>
    <message>
        <source>Send rollbacks and controller actions to URL as JSON (or Slack text) POSTs.</source>
        <translation>Rollbacks und Controller-Aktionen als JSON-POSTs (oder Slack-Text) an URL senden.</translation>
    </message>
    <message>
        <source>http:// or https:// URL</source>
        <translation>http://- oder https://-URL</translation>
    </message>
    <message>
        <source>json (default) or slack.</source>
        <translation>json (Vorgabe) oder slack.</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Added webhook %1 (%2): %3</source>
        <translation>Webhook %1 hinzugefügt (%2): %3</translation>
    </message>
    <message>
        <source>List the webhooks (URLs shortened: they may hold secrets).</source>
        <translation>Die Webhooks auflisten (URLs gekürzt: sie können Geheimnisse enthalten).</translation>
    </message>
    <message>
        <source>No webhooks. Add one with: syncpilot-cli webhook add URL</source>
        <translation>Keine Webhooks. Einen hinzufügen mit: syncpilot-cli webhook add URL</translation>
    </message>
    <message>
        <source>Remove a webhook.</source>
        <translation>Einen Webhook entfernen.</translation>
    </message>
    <message>
        <source>Webhook id (see webhook list)</source>
        <translation>Webhook-ID (siehe webhook list)</translation>
    </message>
    <message>
        <source>webhook id</source>
        <translation>Webhook-ID</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a webhook id (see: syncpilot-cli webhook list).</source>
        <translation>„%1“ ist keine Webhook-ID (siehe: syncpilot-cli webhook list).</translation>
    </message>
    <message>
        <source>Removed webhook %1.</source>
        <translation>Webhook %1 entfernt.</translation>
    </message>
    <message numerus="yes">
        <source>Retention: deleted %n old run record(s).</source>
        <translation>
            <numerusform>Aufbewahrung: %n alter Laufdatensatz gelöscht.</numerusform>
            <numerusform>Aufbewahrung: %n alte Laufdatensätze gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <source>Retention failed: %1</source>
        <translation>Aufbewahrung fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>AuditCommands</name>
    <message>
        <source>Entries at or after T (ISO 8601, or an age: 24h, 7d).</source>
        <translation>Einträge ab T (ISO 8601 oder ein Alter: 24h, 7d).</translation>
    </message>
    <message>
        <source>Entries before T.</source>
        <translation>Einträge vor T.</translation>
    </message>
    <message>
        <source>Only this actor (OS user).</source>
        <translation>Nur dieser Akteur (Betriebssystem-Benutzer).</translation>
    </message>
    <message>
        <source>Only this object, e.g. flag:checkout or flag:* .</source>
        <translation>Nur dieses Objekt, z. B. flag:checkout oder flag:* .</translation>
    </message>
    <message>
        <source>Only this action, e.g. flag.update or killswitch.* .</source>
        <translation>Nur diese Aktion, z. B. flag.update oder killswitch.* .</translation>
    </message>
    <message>
        <source>List audit entries, oldest first (filters: --from --to --actor --object --action --limit).</source>
        <translation>Audit-Einträge auflisten, älteste zuerst (Filter: --from --to --actor --object --action --limit).</translation>
    </message>
    <message>
        <source>Only the newest N entries.</source>
        <translation>Nur die neuesten N Einträge.</translation>
    </message>
    <message>
        <source>--limit: &quot;%1&quot; is not a positive number.</source>
        <translation>--limit: „%1“ ist keine positive Zahl.</translation>
    </message>
    <message>
        <source>Export audit entries (verified first; stamped with the chain head) as CSV or JSON Lines.</source>
        <translation>Audit-Einträge als CSV oder JSON Lines exportieren (vorher geprüft, mit dem Kettenkopf versehen).</translation>
    </message>
    <message>
        <source>csv or jsonl.</source>
        <translation>csv oder jsonl.</translation>
    </message>
    <message>
        <source>The file to write (atomically).</source>
        <translation>Die zu schreibende Datei (atomar).</translation>
    </message>
    <message>
        <source>--format must be csv or jsonl.</source>
        <translation>--format muss csv oder jsonl sein.</translation>
    </message>
    <message>
        <source>--out FILE is required.</source>
        <translation>--out DATEI ist erforderlich.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Check the hash chain; exit 1 naming the first edited or deleted entry.</source>
        <translation>Die Hash-Kette prüfen; Exit-Code 1 und Angabe des ersten geänderten oder gelöschten Eintrags.</translation>
    </message>
    <message>
        <source>Audit chain BROKEN at entry %1: %2.</source>
        <translation>Audit-Kette BESCHÄDIGT bei Eintrag %1: %2.</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n audit record(s) to %1.</source>
        <translation>
            <numerusform>%n Audit-Eintrag nach %1 geschrieben.</numerusform>
            <numerusform>%n Audit-Einträge nach %1 geschrieben.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Audit chain intact: %n record(s), head %1.</source>
        <translation>
            <numerusform>Audit-Kette intakt: %n Eintrag, Kopf %1.</numerusform>
            <numerusform>Audit-Kette intakt: %n Einträge, Kopf %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>AuditLog</name>
    <message>
        <source>entry %1 is missing (the next entry is %2)</source>
        <translation>Eintrag %1 fehlt (der nächste Eintrag ist %2)</translation>
    </message>
    <message>
        <source>entry %1 does not link to the entry before it</source>
        <translation>Eintrag %1 ist nicht mit dem vorherigen Eintrag verkettet</translation>
    </message>
    <message>
        <source>entry %1 was changed after it was written (its hash does not match)</source>
        <translation>Eintrag %1 wurde nach dem Schreiben verändert (sein Hash stimmt nicht)</translation>
    </message>
    <message>
        <source>entries %1 to %2 were deleted (the log ends at %3)</source>
        <translation>Einträge %1 bis %2 wurden gelöscht (das Protokoll endet bei %3)</translation>
    </message>
    <message>
        <source>the chain head does not match the newest entry %1</source>
        <translation>der Kettenkopf passt nicht zum neuesten Eintrag %1</translation>
    </message>
    <message>
        <source>The audit chain does not verify (%1); export refused.</source>
        <translation>Die Audit-Kette ist nicht gültig (%1); Export abgelehnt.</translation>
    </message>
    <message>
        <source>Cannot write the audit log of workspace %1.</source>
        <translation>Das Audit-Protokoll von Arbeitsbereich %1 kann nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>Cannot write the audit log of workspace %1: %2</source>
        <translation>Das Audit-Protokoll von Arbeitsbereich %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Backtest</name>
    <message>
        <source>Would roll back: guardrail %1 tripped. %2</source>
        <translation>Würde zurückrollen: Guardrail %1 hat ausgelöst. %2</translation>
    </message>
    <message>
        <source>Would pause: guardrail %1 tripped. %2</source>
        <translation>Würde pausieren: Guardrail %1 hat ausgelöst. %2</translation>
    </message>
    <message>
        <source>Would warn: guardrail %1 breached. %2</source>
        <translation>Würde warnen: Guardrail %1 überschritten. %2</translation>
    </message>
    <message>
        <source>Would hold at %1: %2</source>
        <translation>Würde bei %1 halten: %2</translation>
    </message>
    <message>
        <source>Would complete at %1.</source>
        <translation>Würde bei %1 abschließen.</translation>
    </message>
    <message>
        <source>Would advance from %1 to %2.</source>
        <translation>Würde von %1 auf %2 weiterschalten.</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>Usage: syncpilot-cli [--workspace PATH|postgresql://…] [--json] COMMAND [OPTIONS]

SyncPilot: flags, rollouts and rollbacks for data-sync features.

Global options:
  --workspace LOCATION  SQLite file or postgresql://user:password@host:port/db
                        (default: %1)
  --json                machine-readable output
  --help                help for a command: syncpilot-cli flag set --help
  --version             print the version

Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 conflict.

Commands:
</source>
        <translation>Aufruf: syncpilot-cli [--workspace PFAD|postgresql://…] [--json] BEFEHL [OPTIONEN]

SyncPilot: Flags, Rollouts und Rollbacks für Datensync-Funktionen.

Globale Optionen:
  --workspace ORT       SQLite-Datei oder postgresql://benutzer:passwort@host:port/db
                        (Vorgabe: %1)
  --json                maschinenlesbare Ausgabe
  --help                Hilfe zu einem Befehl: syncpilot-cli flag set --help
  --version             Version ausgeben

Exit-Codes: 0 ok, 1 Fehler, 2 Aufruf, 3 ungültige Eingabe, 4 Konflikt.

Befehle:
</translation>
    </message>
    <message>
        <source>--workspace needs a value: a file path or a postgresql:// URL.</source>
        <translation>--workspace braucht einen Wert: einen Dateipfad oder eine postgresql://-URL.</translation>
    </message>
    <message>
        <source>Unknown command &quot;%1&quot;. Run syncpilot-cli --help for the list of commands.</source>
        <translation>Unbekannter Befehl „%1“. syncpilot-cli --help listet alle Befehle.</translation>
    </message>
    <message>
        <source>Cannot read keys file %1: %2</source>
        <translation>Schlüsseldatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: not valid UTF-8.</source>
        <translation>%1: kein gültiges UTF-8.</translation>
    </message>
    <message>
        <source>%1: expected one targeting key a line, found a TAB.</source>
        <translation>%1: ein Targeting-Schlüssel pro Zeile erwartet, aber ein TAB gefunden.</translation>
    </message>
    <message>
        <source>Keys file %1 is empty: expected one targeting key a line.</source>
        <translation>Schlüsseldatei %1 ist leer: ein Targeting-Schlüssel pro Zeile erwartet.</translation>
    </message>
    <message>
        <source>%1: attribute &quot;%2&quot; is not name=value (name: letters, digits, &apos;_&apos;).</source>
        <translation>%1: Attribut „%2“ hat nicht die Form name=wert (name: Buchstaben, Ziffern, &apos;_&apos;).</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a time; use ISO 8601 (2026-11-21, 2026-11-21T10:00:00Z) or an age such as 24h or 7d.</source>
        <translation>%1: „%2“ ist keine Zeitangabe; ISO 8601 (2026-11-21, 2026-11-21T10:00:00Z) oder ein Alter wie 24h oder 7d verwenden.</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe anzeigen.</translation>
    </message>
    <message>
        <source>Expected exactly one %1.</source>
        <translation>Genau ein(e) %1 erwartet.</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <source>Guardrail %1 of %2 tripped: %3</source>
        <translation>Guardrail %1 von %2 hat ausgelöst: %3</translation>
    </message>
    <message>
        <source>Emergency rollback of everything: guardrail %1 of %2 tripped. %3</source>
        <translation>Notfall-Rollback von allem: Guardrail %1 von %2 hat ausgelöst. %3</translation>
    </message>
    <message>
        <source>Rolled back %1: guardrail %2 tripped. %3</source>
        <translation>%1 zurückgerollt: Guardrail %2 hat ausgelöst. %3</translation>
    </message>
    <message>
        <source>Paused %1 at %2: guardrail %3 tripped. %4</source>
        <translation>%1 bei %2 pausiert: Guardrail %3 hat ausgelöst. %4</translation>
    </message>
    <message>
        <source>Warning for %1: guardrail %2 breached. %3</source>
        <translation>Warnung für %1: Guardrail %2 überschritten. %3</translation>
    </message>
    <message>
        <source>Holding %1 at %2 past its hold time: %3</source>
        <translation>%1 bleibt über die Haltezeit hinaus bei %2: %3</translation>
    </message>
    <message numerus="yes">
        <source>held %1, all %n guardrail(s) healthy</source>
        <translation>
            <numerusform>%1 gehalten, %n Guardrail in Ordnung</numerusform>
            <numerusform>%1 gehalten, alle %n Guardrails in Ordnung</numerusform>
        </translation>
    </message>
    <message>
        <source>Completed the rollout of %1 at %2: %3.</source>
        <translation>Rollout von %1 bei %2 abgeschlossen: %3.</translation>
    </message>
    <message>
        <source>Advanced %1 from %2 to %3: %4.</source>
        <translation>%1 von %2 auf %3 weitergeschaltet: %4.</translation>
    </message>
</context>
<context>
    <name>ControllerLock</name>
    <message>
        <source>Cannot create the controller lock file %1: permission denied.</source>
        <translation>Die Sperrdatei %1 des Controllers kann nicht angelegt werden: Zugriff verweigert.</translation>
    </message>
    <message>
        <source>nobody (no lock file %1)</source>
        <translation>niemand (keine Sperrdatei %1)</translation>
    </message>
    <message>
        <source>pid %1 (%2) on host %3 since %4</source>
        <translation>PID %1 (%2) auf Host %3 seit %4</translation>
    </message>
    <message>
        <source>unknown program</source>
        <translation>unbekanntes Programm</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>an unknown session (cannot read pg_locks)</source>
        <translation>eine unbekannte Sitzung (pg_locks nicht lesbar)</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <source>%1 (database session %2%3, since %4)</source>
        <translation>%1 (Datenbanksitzung %2%3, seit %4)</translation>
    </message>
    <message>
        <source>an unnamed client</source>
        <translation>ein unbenannter Client</translation>
    </message>
    <message>
        <source> from %1</source>
        <translation> von %1</translation>
    </message>
</context>
<context>
    <name>DemoWorkspace</name>
    <message>
        <source>Workspace %1 already has flags; the demo data goes into an empty workspace only.</source>
        <translation>Arbeitsbereich %1 enthält bereits Flags; die Demodaten kommen nur in einen leeren Arbeitsbereich.</translation>
    </message>
    <message>
        <source>demo workspace</source>
        <translation>Demo-Arbeitsbereich</translation>
    </message>
    <message>
        <source>Developers who try every sync change first</source>
        <translation>Entwickler, die jede Sync-Änderung zuerst ausprobieren</translation>
    </message>
    <message>
        <source>Point-of-sale stores in the pilot region</source>
        <translation>Filialen mit Kassensystem in der Pilotregion</translation>
    </message>
    <message>
        <source>Consumers that must stay on the legacy import</source>
        <translation>Abnehmer, die beim bisherigen Import bleiben müssen</translation>
    </message>
</context>
<context>
    <name>Evaluator</name>
    <message>
        <source>Unknown flag &quot;%1&quot;.</source>
        <translation>Unbekanntes Flag „%1“.</translation>
    </message>
    <message>
        <source>the flag is off</source>
        <translation>das Flag ist aus</translation>
    </message>
    <message>
        <source>the workspace kill switch is on</source>
        <translation>der Notschalter des Arbeitsbereichs ist an</translation>
    </message>
    <message>
        <source>prerequisite %1 is off</source>
        <translation>Voraussetzung %1 ist aus</translation>
    </message>
    <message>
        <source>a prerequisite no longer exists</source>
        <translation>eine Voraussetzung existiert nicht mehr</translation>
    </message>
    <message>
        <source>in excluded segment %1</source>
        <translation>im ausgeschlossenen Segment %1</translation>
    </message>
    <message>
        <source>in included segment %1</source>
        <translation>im eingeschlossenen Segment %1</translation>
    </message>
    <message>
        <source>inside the rollout percentage</source>
        <translation>innerhalb des Rollout-Anteils</translation>
    </message>
    <message>
        <source>outside the rollout percentage</source>
        <translation>außerhalb des Rollout-Anteils</translation>
    </message>
</context>
<context>
    <name>FlagCommands</name>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>Flag:          %1</source>
        <translation>Flag:             %1</translation>
    </message>
    <message>
        <source>Description:   %1</source>
        <translation>Beschreibung:     %1</translation>
    </message>
    <message>
        <source>State:         %1%2</source>
        <translation>Status:           %1%2</translation>
    </message>
    <message>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source> (forced off by the kill switch)</source>
        <translation> (durch den Notschalter ausgeschaltet)</translation>
    </message>
    <message>
        <source>Rollout:       %1 %</source>
        <translation>Rollout:          %1 %</translation>
    </message>
    <message>
        <source>Tags:          %1</source>
        <translation>Tags:             %1</translation>
    </message>
    <message>
        <source>Prerequisites: %1</source>
        <translation>Voraussetzungen:  %1</translation>
    </message>
    <message>
        <source>Included:      %1</source>
        <translation>Eingeschlossen:   %1</translation>
    </message>
    <message>
        <source>Excluded:      %1</source>
        <translation>Ausgeschlossen:   %1</translation>
    </message>
    <message>
        <source>Version:       %1, changed %2 by %3</source>
        <translation>Version:          %1, geändert %2 von %3</translation>
    </message>
    <message>
        <source>Why (kept in the audit log).</source>
        <translation>Begründung (wird im Audit-Protokoll festgehalten).</translation>
    </message>
    <message>
        <source>List every flag with state, rollout %, tags and prerequisites.</source>
        <translation>Alle Flags mit Status, Rollout-Anteil, Tags und Voraussetzungen auflisten.</translation>
    </message>
    <message>
        <source>Kill switch ON: every flag tagged sync is forced off.</source>
        <translation>Notschalter AN: jedes Flag mit dem Tag sync ist zwangsweise aus.</translation>
    </message>
    <message>
        <source>No flags yet. Create one with: syncpilot-cli flag create KEY</source>
        <translation>Noch keine Flags. Eines anlegen mit: syncpilot-cli flag create SCHLÜSSEL</translation>
    </message>
    <message>
        <source>Show one flag in full.</source>
        <translation>Ein Flag vollständig anzeigen.</translation>
    </message>
    <message>
        <source>flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>Create a flag (off, 0 % unless --on/--percent are given).</source>
        <translation>Ein Flag anlegen (aus, 0 %, sofern nicht --on/--percent angegeben sind).</translation>
    </message>
    <message>
        <source>Flag key: [a-z][a-z0-9_.-]{0,63}</source>
        <translation>Flag-Schlüssel: [a-z][a-z0-9_.-]{0,63}</translation>
    </message>
    <message>
        <source>What the flag turns on.</source>
        <translation>Was das Flag einschaltet.</translation>
    </message>
    <message>
        <source>A tag (repeatable); &apos;sync&apos; puts the flag under the kill switch.</source>
        <translation>Ein Tag (wiederholbar); &apos;sync&apos; stellt das Flag unter den Notschalter.</translation>
    </message>
    <message>
        <source>A prerequisite flag (repeatable).</source>
        <translation>Ein vorausgesetztes Flag (wiederholbar).</translation>
    </message>
    <message>
        <source>A segment that is always on (repeatable).</source>
        <translation>Ein Segment, für das es immer an ist (wiederholbar).</translation>
    </message>
    <message>
        <source>A segment that is always off (repeatable).</source>
        <translation>Ein Segment, für das es immer aus ist (wiederholbar).</translation>
    </message>
    <message>
        <source>Create it switched on.</source>
        <translation>Eingeschaltet anlegen.</translation>
    </message>
    <message>
        <source>Rollout percentage, 0-100 in steps of 0.1.</source>
        <translation>Rollout-Anteil in Prozent, 0–100 in Schritten von 0,1.</translation>
    </message>
    <message>
        <source>Created flag %1 (%2, %3 %).</source>
        <translation>Flag %1 angelegt (%2, %3 %).</translation>
    </message>
    <message>
        <source>Change a flag: state, rollout %, description, tags, prerequisites, segments.</source>
        <translation>Ein Flag ändern: Status, Rollout-Anteil, Beschreibung, Tags, Voraussetzungen, Segmente.</translation>
    </message>
    <message>
        <source>Flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>Switch the flag on.</source>
        <translation>Das Flag einschalten.</translation>
    </message>
    <message>
        <source>Switch the flag off.</source>
        <translation>Das Flag ausschalten.</translation>
    </message>
    <message>
        <source>New description.</source>
        <translation>Neue Beschreibung.</translation>
    </message>
    <message>
        <source>Replace the tags (repeatable).</source>
        <translation>Die Tags ersetzen (wiederholbar).</translation>
    </message>
    <message>
        <source>Remove every tag.</source>
        <translation>Alle Tags entfernen.</translation>
    </message>
    <message>
        <source>Replace the prerequisites (repeatable).</source>
        <translation>Die Voraussetzungen ersetzen (wiederholbar).</translation>
    </message>
    <message>
        <source>Remove every prerequisite.</source>
        <translation>Alle Voraussetzungen entfernen.</translation>
    </message>
    <message>
        <source>Replace the included segments (repeatable).</source>
        <translation>Die eingeschlossenen Segmente ersetzen (wiederholbar).</translation>
    </message>
    <message>
        <source>Replace the excluded segments (repeatable).</source>
        <translation>Die ausgeschlossenen Segmente ersetzen (wiederholbar).</translation>
    </message>
    <message>
        <source>Remove every included and excluded segment.</source>
        <translation>Alle ein- und ausgeschlossenen Segmente entfernen.</translation>
    </message>
    <message>
        <source>Refuse (exit 4) unless the flag is still at this version.</source>
        <translation>Ablehnen (Exit-Code 4), wenn das Flag nicht mehr diese Version hat.</translation>
    </message>
    <message>
        <source>--on and --off exclude each other.</source>
        <translation>--on und --off schließen einander aus.</translation>
    </message>
    <message>
        <source>--expect-version: &quot;%1&quot; is not a version number.</source>
        <translation>--expect-version: „%1“ ist keine Versionsnummer.</translation>
    </message>
    <message>
        <source>Nothing to change: give --on, --off, --percent or another option (see --help).</source>
        <translation>Nichts zu ändern: --on, --off, --percent oder eine andere Option angeben (siehe --help).</translation>
    </message>
    <message>
        <source>Flag %1 is now %2 at %3 % (version %4).</source>
        <translation>Flag %1 ist jetzt %2 bei %3 % (Version %4).</translation>
    </message>
    <message>
        <source>Evaluate a flag for one targeting key, or for every key of a file (&quot;key&lt;TAB&gt;on|off&quot; lines).</source>
        <translation>Ein Flag für einen Targeting-Schlüssel auswerten oder für jeden Schlüssel einer Datei (Zeilen „key&lt;TAB&gt;on|off“).</translation>
    </message>
    <message>
        <source>The context&apos;s targeting key.</source>
        <translation>Der Targeting-Schlüssel des Kontexts.</translation>
    </message>
    <message>
        <source>One targeting key a line, optionally followed by TAB-separated name=value attributes.</source>
        <translation>Ein Targeting-Schlüssel pro Zeile, optional gefolgt von TAB-getrennten Attributen name=wert.</translation>
    </message>
    <message>
        <source>A context attribute name=value (repeatable).</source>
        <translation>Ein Kontext-Attribut name=wert (wiederholbar).</translation>
    </message>
    <message>
        <source>Give either --targeting-key K or --keys-file FILE.</source>
        <translation>Entweder --targeting-key K oder --keys-file DATEI angeben.</translation>
    </message>
    <message>
        <source>Unknown flag &quot;%1&quot;.</source>
        <translation>Unbekanntes Flag „%1“.</translation>
    </message>
    <message>
        <source>Create a segment from a keys file and/or attribute rules.</source>
        <translation>Ein Segment aus einer Schlüsseldatei und/oder Attributregeln anlegen.</translation>
    </message>
    <message>
        <source>Segment name: [a-z][a-z0-9_.-]{0,63}</source>
        <translation>Segmentname: [a-z][a-z0-9_.-]{0,63}</translation>
    </message>
    <message>
        <source>One targeting key a line.</source>
        <translation>Ein Targeting-Schlüssel pro Zeile.</translation>
    </message>
    <message>
        <source>An attribute rule, all must hold (repeatable): &quot;email ends_with @acme.com&quot;, &quot;country in DE,AT&quot;, &quot;plan == pro&quot;, &quot;tier != free&quot;, &quot;client starts_with ios-&quot;.</source>
        <translation>Eine Attributregel, alle müssen zutreffen (wiederholbar): „email ends_with @acme.com“, „country in DE,AT“, „plan == pro“, „tier != free“, „client starts_with ios-“.</translation>
    </message>
    <message>
        <source>What the segment is.</source>
        <translation>Was das Segment umfasst.</translation>
    </message>
    <message>
        <source>segment name</source>
        <translation>Segmentname</translation>
    </message>
    <message>
        <source>Give --keys-file FILE and/or --rule RULE.</source>
        <translation>--keys-file DATEI und/oder --rule REGEL angeben.</translation>
    </message>
    <message>
        <source>Created segment %1 (%2 keys, %3 rules).</source>
        <translation>Segment %1 angelegt (%2 Schlüssel, %3 Regeln).</translation>
    </message>
    <message>
        <source>List segments.</source>
        <translation>Segmente auflisten.</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n Schlüssel</numerusform>
            <numerusform>%n Schlüssel</numerusform>
        </translation>
    </message>
    <message>
        <source>Force every flag tagged sync off, at once, everywhere the flag file is read.</source>
        <translation>Jedes Flag mit dem Tag sync sofort ausschalten, überall, wo die Flag-Datei gelesen wird.</translation>
    </message>
    <message>
        <source>Release the kill switch: sync flags evaluate by their own settings again.</source>
        <translation>Den Notschalter lösen: Sync-Flags werden wieder nach ihren eigenen Einstellungen ausgewertet.</translation>
    </message>
    <message>
        <source>The kill switch needs --reason T (it goes into the audit log).</source>
        <translation>Der Notschalter braucht --reason T (die Begründung kommt ins Audit-Protokoll).</translation>
    </message>
    <message>
        <source>Kill switch ON: every sync flag is off.</source>
        <translation>Notschalter AN: jedes Sync-Flag ist aus.</translation>
    </message>
    <message>
        <source>Kill switch off.</source>
        <translation>Notschalter aus.</translation>
    </message>
    <message>
        <source>Write the flags as a flagd flag-definition file (stdout, or FILE atomically).</source>
        <translation>Die Flags als flagd-Flag-Definitionsdatei schreiben (auf stdout oder atomar in DATEI).</translation>
    </message>
    <message>
        <source>Write to this file.</source>
        <translation>In diese Datei schreiben.</translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation>%1 geschrieben.</translation>
    </message>
    <message>
        <source>Keep PATH current: every change from any process rewrites it atomically. --off stops.</source>
        <translation>PFAD aktuell halten: jede Änderung aus jedem Prozess schreibt ihn atomar neu. --off beendet das.</translation>
    </message>
    <message>
        <source>Where flagd or an in-process provider reads the flags.</source>
        <translation>Wo flagd oder ein In-Process-Provider die Flags liest.</translation>
    </message>
    <message>
        <source>Stop publishing.</source>
        <translation>Veröffentlichen beenden.</translation>
    </message>
    <message>
        <source>Publishing stopped; the last written file stays where it is.</source>
        <translation>Veröffentlichen beendet; die zuletzt geschriebene Datei bleibt, wo sie ist.</translation>
    </message>
    <message>
        <source>path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Publishing flags to %1 on every change.</source>
        <translation>Flags werden bei jeder Änderung nach %1 veröffentlicht.</translation>
    </message>
    <message>
        <source>Show where flags are published and whether the file is current.</source>
        <translation>Anzeigen, wohin die Flags veröffentlicht werden und ob die Datei aktuell ist.</translation>
    </message>
    <message>
        <source>Publishing is off. Turn it on with: syncpilot-cli publish flagd PATH</source>
        <translation>Veröffentlichen ist aus. Einschalten mit: syncpilot-cli publish flagd PFAD</translation>
    </message>
    <message>
        <source>Publishing to %1</source>
        <translation>Veröffentlichung nach %1</translation>
    </message>
    <message>
        <source>The file is missing; it is written again on the next change.</source>
        <translation>Die Datei fehlt; sie wird bei der nächsten Änderung neu geschrieben.</translation>
    </message>
    <message numerus="yes">
        <source>The file is current: %n flag(s), workspace revision %1.</source>
        <translation>
            <numerusform>Die Datei ist aktuell: %n Flag, Revision %1 des Arbeitsbereichs.</numerusform>
            <numerusform>Die Datei ist aktuell: %n Flags, Revision %1 des Arbeitsbereichs.</numerusform>
        </translation>
    </message>
    <message>
        <source>The file differs from the workspace; it is rewritten on the next change.</source>
        <translation>Die Datei weicht vom Arbeitsbereich ab; sie wird bei der nächsten Änderung neu geschrieben.</translation>
    </message>
</context>
<context>
    <name>FlagRules</name>
    <message>
        <source>Invalid flag key &quot;%1&quot;: use 1-64 characters, a lower-case letter first, then a-z, 0-9, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>Ungültiger Flag-Schlüssel „%1“: 1–64 Zeichen, zuerst ein Kleinbuchstabe, dann a-z, 0-9, &apos;_&apos;, &apos;.&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>Invalid segment name &quot;%1&quot;: use 1-64 characters, a lower-case letter first, then a-z, 0-9, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>Ungültiger Segmentname „%1“: 1–64 Zeichen, zuerst ein Kleinbuchstabe, dann a-z, 0-9, &apos;_&apos;, &apos;.&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>Invalid tag &quot;%1&quot;: use 1-32 characters from a-z, 0-9, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>Ungültiges Tag „%1“: 1–32 Zeichen aus a-z, 0-9, &apos;_&apos;, &apos;.&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>Invalid percentage &quot;%1&quot;: expected a number from 0 to 100, e.g. 5 or 33.3.</source>
        <translation>Ungültiger Prozentwert „%1“: erwartet wird eine Zahl von 0 bis 100, z. B. 5 oder 33.3.</translation>
    </message>
    <message>
        <source>Invalid percentage &quot;%1&quot;: at most one decimal (steps of 0.1 %).</source>
        <translation>Ungültiger Prozentwert „%1“: höchstens eine Nachkommastelle (Schritte von 0,1 %).</translation>
    </message>
    <message>
        <source>Invalid percentage &quot;%1&quot;: must be between 0 and 100.</source>
        <translation>Ungültiger Prozentwert „%1“: muss zwischen 0 und 100 liegen.</translation>
    </message>
    <message>
        <source>Invalid rule &quot;%1&quot;: expected ATTRIBUTE OPERATOR VALUE with operator ==, !=, in, starts_with or ends_with (e.g. &quot;email ends_with @acme.com&quot;).</source>
        <translation>Ungültige Regel „%1“: erwartet wird ATTRIBUT OPERATOR WERT mit dem Operator ==, !=, in, starts_with oder ends_with (z. B. „email ends_with @acme.com“).</translation>
    </message>
    <message>
        <source>Invalid rule &quot;%1&quot;: &quot;in&quot; needs a comma-separated list of values.</source>
        <translation>Ungültige Regel „%1“: „in“ braucht eine kommagetrennte Liste von Werten.</translation>
    </message>
    <message>
        <source>%1: empty targeting key.</source>
        <translation>%1: leerer Targeting-Schlüssel.</translation>
    </message>
    <message>
        <source>%1: targeting key longer than 256 characters.</source>
        <translation>%1: Targeting-Schlüssel ist länger als 256 Zeichen.</translation>
    </message>
    <message>
        <source>%1: targeting key contains a control character.</source>
        <translation>%1: Targeting-Schlüssel enthält ein Steuerzeichen.</translation>
    </message>
</context>
<context>
    <name>FlagStore</name>
    <message>
        <source>Unknown flag &quot;%1&quot;.</source>
        <translation>Unbekanntes Flag „%1“.</translation>
    </message>
    <message>
        <source>Flag %1: percentage must be between 0 and 100.</source>
        <translation>Flag %1: der Prozentwert muss zwischen 0 und 100 liegen.</translation>
    </message>
    <message>
        <source>Flag %1 cannot require itself.</source>
        <translation>Flag %1 kann sich nicht selbst voraussetzen.</translation>
    </message>
    <message>
        <source>Flag %1: prerequisite &quot;%2&quot; does not exist.</source>
        <translation>Flag %1: die Voraussetzung „%2“ existiert nicht.</translation>
    </message>
    <message>
        <source>Flag %1: segment &quot;%2&quot; does not exist.</source>
        <translation>Flag %1: das Segment „%2“ existiert nicht.</translation>
    </message>
    <message>
        <source>Flag %1: segment &quot;%2&quot; cannot be both included and excluded.</source>
        <translation>Flag %1: das Segment „%2“ kann nicht zugleich ein- und ausgeschlossen sein.</translation>
    </message>
    <message>
        <source>Prerequisite cycle: %1. Nothing was changed.</source>
        <translation>Zyklus in den Voraussetzungen: %1. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Flag %1 was changed by someone else meanwhile; nothing was changed.</source>
        <translation>Flag %1 wurde inzwischen von jemand anderem geändert; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Flag %1 already exists; nothing was changed.</source>
        <translation>Flag %1 existiert bereits; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Unknown flag &quot;%1&quot;; nothing was changed.</source>
        <translation>Unbekanntes Flag „%1“; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Flag %1 was changed by %2 at %3 (now version %4, you edited version %5); nothing was changed. Reload it and try again.</source>
        <translation>Flag %1 wurde von %2 um %3 geändert (jetzt Version %4, Sie haben Version %5 bearbeitet); nichts wurde geändert. Laden Sie es neu und versuchen Sie es noch einmal.</translation>
    </message>
    <message>
        <source>Segment %1</source>
        <translation>Segment %1</translation>
    </message>
    <message>
        <source>Segment %1 needs targeting keys or at least one rule.</source>
        <translation>Segment %1 braucht Targeting-Schlüssel oder mindestens eine Regel.</translation>
    </message>
    <message>
        <source>Segment %1 already exists; nothing was changed.</source>
        <translation>Segment %1 existiert bereits; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Cannot store the keys of segment %1.</source>
        <translation>Die Schlüssel von Segment %1 können nicht gespeichert werden.</translation>
    </message>
</context>
<context>
    <name>FlagdPublisher</name>
    <message>
        <source>%1 is a directory; give the path of the flag file to write.</source>
        <translation>%1 ist ein Ordner; geben Sie den Pfad der zu schreibenden Flag-Datei an.</translation>
    </message>
    <message>
        <source>Cannot write %1: the folder %2 does not exist.</source>
        <translation>%1 kann nicht geschrieben werden: der Ordner %2 existiert nicht.</translation>
    </message>
    <message>
        <source>Cannot write %1: another process holds %1.lock.</source>
        <translation>%1 kann nicht geschrieben werden: ein anderer Prozess hält %1.lock.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The change was saved, but the published flag file was not updated: %1</source>
        <translation>Die Änderung wurde gespeichert, aber die veröffentlichte Flag-Datei wurde nicht aktualisiert: %1</translation>
    </message>
</context>
<context>
    <name>Guardrail</name>
    <message>
        <source>Guardrail %1 (&quot;%2&quot;)</source>
        <translation>Guardrail %1 („%2“)</translation>
    </message>
    <message>
        <source>Invalid guardrail name &quot;%1&quot;: use a-z, 0-9, &apos;_&apos;, &apos;.&apos;, &apos;-&apos;.</source>
        <translation>Ungültiger Guardrail-Name „%1“: a-z, 0-9, &apos;_&apos;, &apos;.&apos;, &apos;-&apos; verwenden.</translation>
    </message>
    <message>
        <source>%1: expected METRIC &gt; VALUE [legacy] [window=5m] [min=N] [consecutive=N] [action=warn|pause|rollback|kill].</source>
        <translation>%1: erwartet wird METRIK &gt; WERT [legacy] [window=5m] [min=N] [consecutive=N] [action=warn|pause|rollback|kill].</translation>
    </message>
    <message>
        <source>%1: unknown metric &quot;%2&quot; (error_rate, critical, mismatches, p50, p95, p99, rate_429).</source>
        <translation>%1: unbekannte Metrik „%2“ (error_rate, critical, mismatches, p50, p95, p99, rate_429).</translation>
    </message>
    <message>
        <source>%1: the comparison must be &gt; or &gt;=.</source>
        <translation>%1: der Vergleich muss &gt; oder &gt;= sein.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a threshold.</source>
        <translation>%1: „%2“ ist kein Schwellenwert.</translation>
    </message>
    <message>
        <source>%1: unexpected &quot;%2&quot;.</source>
        <translation>%1: unerwartetes „%2“.</translation>
    </message>
    <message>
        <source>%1: %2 must be a whole number of at least 1.</source>
        <translation>%1: %2 muss eine ganze Zahl von mindestens 1 sein.</translation>
    </message>
    <message>
        <source>%1: unknown action &quot;%2&quot; (warn, pause, rollback, kill).</source>
        <translation>%1: unbekannte Aktion „%2“ (warn, pause, rollback, kill).</translation>
    </message>
    <message>
        <source>%1: unknown setting &quot;%2&quot;.</source>
        <translation>%1: unbekannte Einstellung „%2“.</translation>
    </message>
    <message>
        <source>%1: the window must be longer than zero.</source>
        <translation>%1: das Zeitfenster muss länger als null sein.</translation>
    </message>
    <message>
        <source>%1: a rate threshold is a fraction or a percentage (e.g. 10%).</source>
        <translation>%1: ein Schwellenwert für eine Quote ist ein Bruchteil oder ein Prozentwert (z. B. 10%).</translation>
    </message>
    <message>
        <source>%1th</source>
        <translation>%1.</translation>
    </message>
    <message>
        <source>%1st</source>
        <translation>%1.</translation>
    </message>
    <message>
        <source>%1nd</source>
        <translation>%1.</translation>
    </message>
    <message>
        <source>%1rd</source>
        <translation>%1.</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n Stunde</numerusform>
            <numerusform>%n Stunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n Minute</numerusform>
            <numerusform>%n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n Sekunde</numerusform>
            <numerusform>%n Sekunden</numerusform>
        </translation>
    </message>
    <message>
        <source>Warns</source>
        <translation>Warnen</translation>
    </message>
    <message>
        <source>Pauses</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Rolls back</source>
        <translation>Zurückrollen</translation>
    </message>
    <message>
        <source>Rolls back everything</source>
        <translation>Alles zurückrollen</translation>
    </message>
    <message>
        <source>the error rate</source>
        <translation>die Fehlerquote</translation>
    </message>
    <message>
        <source>critical error</source>
        <translation>kritischen Fehler</translation>
    </message>
    <message>
        <source>data inconsistency</source>
        <translation>Fall von Dateninkonsistenz</translation>
    </message>
    <message>
        <source>p50 latency</source>
        <translation>die p50-Latenz</translation>
    </message>
    <message>
        <source>p95 latency</source>
        <translation>die p95-Latenz</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>die p99-Latenz</translation>
    </message>
    <message>
        <source>the 429 rate</source>
        <translation>die 429-Quote</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 on the %2 %3 within %4</source>
        <translation>%1 beim %2 %3 innerhalb von %4</translation>
    </message>
    <message>
        <source>%1 when %2 over %3 is %4 %5 % of legacy (at least %6 runs in each cohort)</source>
        <translation>%1, wenn %2 im Zeitfenster von %3 %4 %5 % des legacy-Werts liegt (mindestens %6 Läufe je Kohorte)</translation>
    </message>
    <message>
        <source>at or above</source>
        <translation>bei mindestens</translation>
    </message>
    <message>
        <source>above</source>
        <translation>über</translation>
    </message>
    <message>
        <source>%1 when %2 over %3 is %4 %5 (at least %6 runs)</source>
        <translation>%1, wenn %2 im Zeitfenster von %3 %4 %5 liegt (mindestens %6 Läufe)</translation>
    </message>
    <message numerus="yes">
        <source>, %n evaluation(s) in a row</source>
        <translation>
            <numerusform>, %n Auswertung in Folge</numerusform>
            <numerusform>, %n Auswertungen in Folge</numerusform>
        </translation>
    </message>
    <message>
        <source>none so far</source>
        <translation>bisher keine</translation>
    </message>
    <message>
        <source>%1 so far</source>
        <translation>bisher %1</translation>
    </message>
    <message>
        <source>not enough runs yet (%1 sync, %2 legacy, %3 needed)</source>
        <translation>noch nicht genug Läufe (%1 sync, %2 legacy, %3 nötig)</translation>
    </message>
    <message>
        <source>not enough runs yet (%1 of %2)</source>
        <translation>noch nicht genug Läufe (%1 von %2)</translation>
    </message>
    <message>
        <source>now %1 vs legacy %2 (%3 %)</source>
        <translation>jetzt %1 gegenüber legacy %2 (%3 %)</translation>
    </message>
    <message numerus="yes">
        <source>now %1 over %n run(s)</source>
        <translation>
            <numerusform>jetzt %1 bei %n Lauf</numerusform>
            <numerusform>jetzt %1 bei %n Läufen</numerusform>
        </translation>
    </message>
    <message>
        <source>; breached %1 of %2 times in a row</source>
        <translation>; %1 von %2 Malen in Folge überschritten</translation>
    </message>
    <message>
        <source>%1; %2.</source>
        <translation>%1; %2.</translation>
    </message>
    <message>
        <source>No guardrail &quot;%1&quot; is set for %2; nothing was changed.</source>
        <translation>Für %2 ist keine Guardrail „%1“ gesetzt; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>the workspace</source>
        <translation>den Arbeitsbereich</translation>
    </message>
</context>
<context>
    <name>MetricsCommands</name>
    <message>
        <source>%1: &quot;%2&quot; is not a duration; use e.g. 90s, 15m, 1h or 7d.</source>
        <translation>%1: „%2“ ist keine Dauer; z. B. 90s, 15m, 1h oder 7d verwenden.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a number of days between 1 and %3.</source>
        <translation>%1: „%2“ ist keine Anzahl von Tagen zwischen 1 und %3.</translation>
    </message>
    <message>
        <source>  %1: no runs</source>
        <translation>  %1: keine Läufe</translation>
    </message>
    <message numerus="yes">
        <source>  %1: %n run(s), %2 errors (%3), %4 critical, latency p50 %5 / p95 %6 / p99 %7, %8 mismatches, %9 × 429 (%10 per run), %11 retries</source>
        <translation>
            <numerusform>  %1: %n Lauf, %2 Fehler (%3), %4 kritisch, Latenz p50 %5 / p95 %6 / p99 %7, %8 Abweichungen, %9 × 429 (%10 pro Lauf), %11 Wiederholungen</numerusform>
            <numerusform>  %1: %n Läufe, %2 Fehler (%3), %4 kritisch, Latenz p50 %5 / p95 %6 / p99 %7, %8 Abweichungen, %9 × 429 (%10 pro Lauf), %11 Wiederholungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Store run records from a JSON Lines file (one record a line); any bad line stores nothing.</source>
        <translation>Laufdatensätze aus einer JSON-Lines-Datei speichern (ein Datensatz pro Zeile); bei einer fehlerhaften Zeile wird nichts gespeichert.</translation>
    </message>
    <message>
        <source>JSON Lines file of run records.</source>
        <translation>JSON-Lines-Datei mit Laufdatensätzen.</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Ingested %1 run records from %2</source>
        <translation>%1 Laufdatensätze aus %2 eingelesen</translation>
    </message>
    <message>
        <source>Health of a flag&apos;s runs in a recent window, per cohort: runs, error rate, critical errors, p50/p95/p99 latency, mismatches, 429s.</source>
        <translation>Zustand der Läufe eines Flags in einem aktuellen Zeitfenster, je Kohorte: Läufe, Fehlerquote, kritische Fehler, p50/p95/p99-Latenz, Abweichungen, 429er.</translation>
    </message>
    <message>
        <source>Flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>How far back from now (90s, 15m, 1h, 7d; default 1h).</source>
        <translation>Wie weit ab jetzt zurück (90s, 15m, 1h, 7d; Vorgabe 1h).</translation>
    </message>
    <message>
        <source>Only this cohort: sync, legacy or shadow.</source>
        <translation>Nur diese Kohorte: sync, legacy oder shadow.</translation>
    </message>
    <message>
        <source>flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>--cohort: &quot;%1&quot; is not a cohort; use sync, legacy or shadow.</source>
        <translation>--cohort: „%1“ ist keine Kohorte; sync, legacy oder shadow verwenden.</translation>
    </message>
    <message>
        <source>Runs of %1 in the last %2 (%3 to %4):</source>
        <translation>Läufe von %1 in den letzten %2 (%3 bis %4):</translation>
    </message>
    <message>
        <source>Show or set how long raw run records and metric buckets are kept; --apply deletes what is older now.</source>
        <translation>Anzeigen oder festlegen, wie lange Roh-Laufdatensätze und Metrik-Buckets aufbewahrt werden; --apply löscht sofort, was älter ist.</translation>
    </message>
    <message>
        <source>Keep raw run records this many days (default 30).</source>
        <translation>Roh-Laufdatensätze so viele Tage aufbewahren (Vorgabe 30).</translation>
    </message>
    <message>
        <source>Keep per-minute buckets and rollups this many days (default 400).</source>
        <translation>Minuten-Buckets und Verdichtungen so viele Tage aufbewahren (Vorgabe 400).</translation>
    </message>
    <message>
        <source>Delete records and buckets older than the retention now.</source>
        <translation>Datensätze und Buckets, die älter als die Aufbewahrungsdauer sind, jetzt löschen.</translation>
    </message>
    <message>
        <source>Why (kept in the audit log).</source>
        <translation>Begründung (wird im Audit-Protokoll festgehalten).</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>Raw run records are kept %1 days; metric buckets %2 days.%3</source>
        <translation>Roh-Laufdatensätze werden %1 Tage aufbewahrt, Metrik-Buckets %2 Tage.%3</translation>
    </message>
    <message>
        <source> (changed)</source>
        <translation> (geändert)</translation>
    </message>
    <message>
        <source> (unchanged)</source>
        <translation> (unverändert)</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n raw run record(s) past the retention.</source>
        <translation>
            <numerusform>%n Roh-Laufdatensatz nach Ablauf der Aufbewahrungsdauer gelöscht.</numerusform>
            <numerusform>%n Roh-Laufdatensätze nach Ablauf der Aufbewahrungsdauer gelöscht.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>connection refused</source>
        <translation>Verbindung abgelehnt</translation>
    </message>
    <message>
        <source>connection closed by the server</source>
        <translation>Verbindung vom Server geschlossen</translation>
    </message>
    <message>
        <source>host not found</source>
        <translation>Host nicht gefunden</translation>
    </message>
    <message>
        <source>no answer within %1 s</source>
        <translation>keine Antwort innerhalb von %1 s</translation>
    </message>
    <message>
        <source>TLS handshake failed</source>
        <translation>TLS-Handshake fehlgeschlagen</translation>
    </message>
    <message>
        <source>network unavailable</source>
        <translation>Netzwerk nicht verfügbar</translation>
    </message>
    <message>
        <source>proxy unreachable</source>
        <translation>Proxy nicht erreichbar</translation>
    </message>
    <message>
        <source>network error %1</source>
        <translation>Netzwerkfehler %1</translation>
    </message>
    <message>
        <source>Rollout started</source>
        <translation>Rollout gestartet</translation>
    </message>
    <message>
        <source>Rollout advanced</source>
        <translation>Rollout weitergeschaltet</translation>
    </message>
    <message>
        <source>Rollout held</source>
        <translation>Rollout gehalten</translation>
    </message>
    <message>
        <source>Rollout paused</source>
        <translation>Rollout pausiert</translation>
    </message>
    <message>
        <source>Rollout resumed</source>
        <translation>Rollout fortgesetzt</translation>
    </message>
    <message>
        <source>Rolled back</source>
        <translation>Zurückgerollt</translation>
    </message>
    <message>
        <source>Emergency rollback</source>
        <translation>Notfall-Rollback</translation>
    </message>
    <message>
        <source>Rollout aborted</source>
        <translation>Rollout abgebrochen</translation>
    </message>
    <message>
        <source>Rollout completed</source>
        <translation>Rollout abgeschlossen</translation>
    </message>
    <message>
        <source>Guardrail warning</source>
        <translation>Guardrail-Warnung</translation>
    </message>
    <message>
        <source>Restored</source>
        <translation>Wiederhergestellt</translation>
    </message>
    <message>
        <source>(not a URL)</source>
        <translation>(keine URL)</translation>
    </message>
    <message>
        <source>all sync flags</source>
        <translation>alle Sync-Flags</translation>
    </message>
    <message>
        <source>automatic, by the %1</source>
        <translation>automatisch, durch den %1</translation>
    </message>
    <message>
        <source>by %1 via %2</source>
        <translation>von %1 über %2</translation>
    </message>
    <message>
        <source>SyncPilot [%1] %2: %3. %4 (%5)</source>
        <translation>SyncPilot [%1] %2: %3. %4 (%5)</translation>
    </message>
    <message>
        <source>Webhook URL &quot;%1&quot; is not an http:// or https:// URL with a host.</source>
        <translation>Die Webhook-URL „%1“ ist keine http://- oder https://-URL mit Host.</translation>
    </message>
    <message>
        <source>--format: &quot;%1&quot; is not a webhook format; use json or slack.</source>
        <translation>--format: „%1“ ist kein Webhook-Format; json oder slack verwenden.</translation>
    </message>
    <message>
        <source>No webhook with id %1 (see: syncpilot-cli webhook list).</source>
        <translation>Kein Webhook mit der ID %1 (siehe: syncpilot-cli webhook list).</translation>
    </message>
    <message>
        <source>Another process is delivering webhooks; the entries wait for the next flush.</source>
        <translation>Ein anderer Prozess stellt gerade Webhooks zu; die Einträge warten auf die nächste Zustellung.</translation>
    </message>
    <message>
        <source>%1; gave up for now (the flush took too long)</source>
        <translation>%1; vorerst aufgegeben (die Zustellung dauerte zu lange)</translation>
    </message>
    <message>
        <source>Webhook %1 (%2) refused decision %3: %4; skipped.</source>
        <translation>Webhook %1 (%2) hat Entscheidung %3 abgelehnt: %4; übersprungen.</translation>
    </message>
    <message>
        <source>Webhook %1 (%2) could not take decision %3 after %4 attempts: %5; it will be sent again on the next flush.</source>
        <translation>Webhook %1 (%2) konnte Entscheidung %3 nach %4 Versuchen nicht annehmen: %5; sie wird bei der nächsten Zustellung erneut gesendet.</translation>
    </message>
</context>
<context>
    <name>RollbackCommands</name>
    <message>
        <source>--reason is required: say why (it is kept in the audit log and the snapshot).</source>
        <translation>--reason ist erforderlich: geben Sie eine Begründung an (sie wird im Audit-Protokoll und im Snapshot festgehalten).</translation>
    </message>
    <message>
        <source>--step-delay: &quot;%1&quot; is not a duration; use for example 2s, 500ms or 1m.</source>
        <translation>--step-delay: „%1“ ist keine Dauer; zum Beispiel 2s, 500ms oder 1m verwenden.</translation>
    </message>
    <message>
        <source>--step-delay: &quot;%1&quot; is longer than an hour.</source>
        <translation>--step-delay: „%1“ ist länger als eine Stunde.</translation>
    </message>
    <message numerus="yes">
        <source>%n flag(s) off (%1)</source>
        <translation>
            <numerusform>%n Flag aus (%1)</numerusform>
            <numerusform>%n Flags aus (%1)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n rollout(s) rolled back (%1)</source>
        <translation>
            <numerusform>%n Rollout zurückgerollt (%1)</numerusform>
            <numerusform>%n Rollouts zurückgerollt (%1)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n sync config(s) back to legacy (%1)</source>
        <translation>
            <numerusform>%n Sync-Konfiguration zurück auf legacy (%1)</numerusform>
            <numerusform>%n Sync-Konfigurationen zurück auf legacy (%1)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 off</source>
        <translation>%1 aus</translation>
    </message>
    <message>
        <source>rollout %1 rolled back</source>
        <translation>Rollout %1 zurückgerollt</translation>
    </message>
    <message>
        <source>sync config(s) %1 back to legacy</source>
        <translation>Sync-Konfiguration(en) %1 zurück auf legacy</translation>
    </message>
    <message>
        <source>%1 was already off</source>
        <translation>%1 war bereits aus</translation>
    </message>
    <message>
        <source>everything</source>
        <translation>alles</translation>
    </message>
    <message>
        <source>Step %1/%2: %3</source>
        <translation>Schritt %1/%2: %3</translation>
    </message>
    <message>
        <source>Webhook %1 not notified: %2</source>
        <translation>Webhook %1 nicht benachrichtigt: %2</translation>
    </message>
    <message>
        <source>Nothing to roll back: the flag is already off and has no running or paused rollout.</source>
        <translation>Nichts zurückzurollen: das Flag ist bereits aus und hat keinen laufenden oder pausierten Rollout.</translation>
    </message>
    <message>
        <source>Nothing to roll back: no sync flag is on, no rollout is running or paused, every sync config is legacy.</source>
        <translation>Nichts zurückzurollen: kein Sync-Flag ist an, kein Rollout läuft oder ist pausiert, jede Sync-Konfiguration steht auf legacy.</translation>
    </message>
    <message>
        <source>Emergency rollback done in %1 ms: %2.</source>
        <translation>Notfall-Rollback in %1 ms erledigt: %2.</translation>
    </message>
    <message>
        <source>Gradual rollback done in %1 ms: %2.</source>
        <translation>Schrittweiser Rollback in %1 ms erledigt: %2.</translation>
    </message>
    <message>
        <source>Rolled back: %1.</source>
        <translation>Zurückgerollt: %1.</translation>
    </message>
    <message>
        <source>Snapshot %1 keeps the state before. Restore with: syncpilot-cli restore %1</source>
        <translation>Snapshot %1 bewahrt den vorherigen Zustand. Wiederherstellen mit: syncpilot-cli restore %1</translation>
    </message>
    <message>
        <source>Return to legacy: every sync flag at once (--all), one flag (KEY), or flag by flag, dependents first (--gradual).</source>
        <translation>Zurück auf legacy: alle Sync-Flags auf einmal (--all), ein Flag (SCHLÜSSEL) oder Flag für Flag, abhängige zuerst (--gradual).</translation>
    </message>
    <message>
        <source>The flag to roll back (selective rollback).</source>
        <translation>Das zurückzurollende Flag (selektiver Rollback).</translation>
    </message>
    <message>
        <source>Emergency rollback: every sync flag off, every running rollout rolled back, every sync config to legacy, in one transaction.</source>
        <translation>Notfall-Rollback: jedes Sync-Flag aus, jeder laufende Rollout zurückgerollt, jede Sync-Konfiguration auf legacy, in einer Transaktion.</translation>
    </message>
    <message>
        <source>Turn sync flags off one by one, dependents before their prerequisites.</source>
        <translation>Sync-Flags einzeln ausschalten, abhängige vor ihren Voraussetzungen.</translation>
    </message>
    <message>
        <source>Wait between gradual steps (default 2s; s, ms or m).</source>
        <translation>Wartezeit zwischen den einzelnen Schritten (Vorgabe 2s; s, ms oder m).</translation>
    </message>
    <message>
        <source>Why (required; kept in the audit log and the snapshot).</source>
        <translation>Begründung (erforderlich; wird im Audit-Protokoll und im Snapshot festgehalten).</translation>
    </message>
    <message>
        <source>Give one flag key at most (got %1).</source>
        <translation>Höchstens einen Flag-Schlüssel angeben (erhalten: %1).</translation>
    </message>
    <message>
        <source>Say what to roll back: --all, a flag KEY, or --gradual (exactly one of them).</source>
        <translation>Angeben, was zurückgerollt werden soll: --all, einen Flag-SCHLÜSSEL oder --gradual (genau eines davon).</translation>
    </message>
    <message>
        <source>--step-delay only goes with --gradual.</source>
        <translation>--step-delay geht nur zusammen mit --gradual.</translation>
    </message>
    <message>
        <source>Put back the state a rollback snapshot kept (default: the newest not yet restored); refused when something changed since.</source>
        <translation>Den Zustand wiederherstellen, den ein Rollback-Snapshot bewahrt hat (Vorgabe: der neueste noch nicht wiederhergestellte); abgelehnt, wenn sich seitdem etwas geändert hat.</translation>
    </message>
    <message>
        <source>The snapshot to restore (see: snapshot list).</source>
        <translation>Der wiederherzustellende Snapshot (siehe: snapshot list).</translation>
    </message>
    <message>
        <source>Why (kept in the audit log).</source>
        <translation>Begründung (wird im Audit-Protokoll festgehalten).</translation>
    </message>
    <message>
        <source>Give one snapshot id at most.</source>
        <translation>Höchstens eine Snapshot-ID angeben.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a snapshot id; list them with: syncpilot-cli snapshot list</source>
        <translation>„%1“ ist keine Snapshot-ID; auflisten mit: syncpilot-cli snapshot list</translation>
    </message>
    <message>
        <source>Restored snapshot %1 (%2 rollback of %3 by %4): %5 flag(s), %6 rollout(s) and %7 sync config(s) are back to their state before.</source>
        <translation>Snapshot %1 wiederhergestellt (Rollback %2 vom %3 durch %4): %5 Flag(s), %6 Rollout(s) und %7 Sync-Konfiguration(en) sind wieder im vorherigen Zustand.</translation>
    </message>
    <message>
        <source>Flags: %1</source>
        <translation>Flags: %1</translation>
    </message>
    <message>
        <source>Rollouts: %1 (running phases restart their hold time now)</source>
        <translation>Rollouts: %1 (laufende Phasen beginnen ihre Haltezeit jetzt neu)</translation>
    </message>
    <message>
        <source>Sync configs: %1</source>
        <translation>Sync-Konfigurationen: %1</translation>
    </message>
    <message>
        <source>List rollback snapshots, newest first, and whether each was restored.</source>
        <translation>Rollback-Snapshots auflisten, neueste zuerst, jeweils mit der Angabe, ob er wiederhergestellt wurde.</translation>
    </message>
    <message>
        <source>At most N snapshots (default 20, 0: all).</source>
        <translation>Höchstens N Snapshots (Vorgabe 20, 0: alle).</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>--limit: &quot;%1&quot; is not a number of snapshots.</source>
        <translation>--limit: „%1“ ist keine Anzahl von Snapshots.</translation>
    </message>
    <message>
        <source>No rollback snapshots yet.</source>
        <translation>Noch keine Rollback-Snapshots.</translation>
    </message>
    <message>
        <source>%1  %2  %3  %4  %5 flag(s), %6 rollout(s), %7 config(s)  %8  %9</source>
        <translation>%1  %2  %3  %4  %5 Flag(s), %6 Rollout(s), %7 Konfiguration(en)  %8  %9</translation>
    </message>
    <message>
        <source>restored %1</source>
        <translation>wiederhergestellt %1</translation>
    </message>
    <message>
        <source>not restored</source>
        <translation>nicht wiederhergestellt</translation>
    </message>
</context>
<context>
    <name>RollbackService</name>
    <message>
        <source>The rollback could not turn off every flag (%1 of %2); nothing was changed.</source>
        <translation>Der Rollback konnte nicht jedes Flag ausschalten (%1 von %2); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Rollout %1 of %2 rolled back in phase %3 (was %4): %5</source>
        <translation>Rollout %1 von %2 in Phase %3 zurückgerollt (war %4): %5</translation>
    </message>
    <message>
        <source>Could not store the rollback snapshot; nothing was changed.</source>
        <translation>Der Rollback-Snapshot konnte nicht gespeichert werden; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>There is no snapshot %1. List them with: syncpilot-cli snapshot list</source>
        <translation>Es gibt keinen Snapshot %1. Auflisten mit: syncpilot-cli snapshot list</translation>
    </message>
    <message>
        <source>There is no rollback snapshot left to restore.</source>
        <translation>Es gibt keinen Rollback-Snapshot mehr, der wiederhergestellt werden kann.</translation>
    </message>
    <message>
        <source>Emergency rollback (snapshot %1): %2</source>
        <translation>Notfall-Rollback (Snapshot %1): %2</translation>
    </message>
    <message>
        <source>Unknown flag &quot;%1&quot;; nothing was changed.</source>
        <translation>Unbekanntes Flag „%1“; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Rollback of %1 (snapshot %2): %3</source>
        <translation>Rollback von %1 (Snapshot %2): %3</translation>
    </message>
    <message>
        <source>The step delay cannot be negative.</source>
        <translation>Die Wartezeit zwischen den Schritten kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>Gradual rollback (snapshot %1): %2</source>
        <translation>Schrittweiser Rollback (Snapshot %1): %2</translation>
    </message>
    <message>
        <source>Snapshot %1 was already restored at %2; nothing was changed.</source>
        <translation>Snapshot %1 wurde bereits am %2 wiederhergestellt; nichts wurde geändert.</translation>
    </message>
    <message numerus="yes">
        <source>Snapshot %1 was not restored: the workspace changed since the rollback (%n change(s)); nothing was changed.
  %2</source>
        <translation>
            <numerusform>Snapshot %1 wurde nicht wiederhergestellt: der Arbeitsbereich hat sich seit dem Rollback geändert (%n Änderung); nichts wurde geändert.
  %2</numerusform>
            <numerusform>Snapshot %1 wurde nicht wiederhergestellt: der Arbeitsbereich hat sich seit dem Rollback geändert (%n Änderungen); nichts wurde geändert.
  %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Restored from snapshot %1: %2</source>
        <translation>Aus Snapshot %1 wiederhergestellt: %2</translation>
    </message>
    <message>
        <source>Flag %1 was changed by someone else meanwhile; nothing was changed.</source>
        <translation>Flag %1 wurde inzwischen von jemand anderem geändert; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Rollout %1 of %2 restored to %3 in phase %4 (snapshot %5)</source>
        <translation>Rollout %1 von %2 auf %3 in Phase %4 wiederhergestellt (Snapshot %5)</translation>
    </message>
    <message>
        <source>flag %1: deleted since the rollback</source>
        <translation>Flag %1: seit dem Rollback gelöscht</translation>
    </message>
    <message>
        <source>flag %1: now %2, was %3 right after the rollback</source>
        <translation>Flag %1: jetzt %2, direkt nach dem Rollback %3</translation>
    </message>
    <message>
        <source>rollout %1 of flag %2: deleted since the rollback</source>
        <translation>Rollout %1 von Flag %2: seit dem Rollback gelöscht</translation>
    </message>
    <message>
        <source>rollout %1 of flag %2: now %3, was %4 right after the rollback</source>
        <translation>Rollout %1 von Flag %2: jetzt %3, direkt nach dem Rollback %4</translation>
    </message>
    <message>
        <source>flag %1: rollout %2 was started since the rollback</source>
        <translation>Flag %1: seit dem Rollback wurde Rollout %2 gestartet</translation>
    </message>
    <message>
        <source>sync config %1: deleted since the rollback</source>
        <translation>Sync-Konfiguration %1: seit dem Rollback gelöscht</translation>
    </message>
    <message>
        <source>sync config %1: now %2, was %3 right after the rollback</source>
        <translation>Sync-Konfiguration %1: jetzt %2, direkt nach dem Rollback %3</translation>
    </message>
</context>
<context>
    <name>RolloutCommands</name>
    <message>
        <source>Why (kept in the audit log and the ledger).</source>
        <translation>Begründung (wird im Audit-Protokoll und im Entscheidungsjournal festgehalten).</translation>
    </message>
    <message>
        <source>Expected exactly one flag key.</source>
        <translation>Genau ein Flag-Schlüssel erwartet.</translation>
    </message>
    <message>
        <source>Give either --plan &quot;5:24h,25:48h,50:72h,100&quot; or --template canary|daily|ladder.</source>
        <translation>Entweder --plan &quot;5:24h,25:48h,50:72h,100&quot; oder --template canary|daily|ladder angeben.</translation>
    </message>
    <message>
        <source>hold time over</source>
        <translation>Haltezeit abgelaufen</translation>
    </message>
    <message>
        <source>%1 h %2 min left</source>
        <translation>noch %1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min left</source>
        <translation>noch %1 min</translation>
    </message>
    <message>
        <source>%1 — %2 (plan %3%4)</source>
        <translation>%1 — %2 (Plan %3%4)</translation>
    </message>
    <message>
        <source>, template %1</source>
        <translation>, Vorlage %1</translation>
    </message>
    <message>
        <source>  Phase %1 of %2 since %3, %4.</source>
        <translation>  Phase %1 von %2 seit %3, %4.</translation>
    </message>
    <message>
        <source>final</source>
        <translation>Endphase</translation>
    </message>
    <message>
        <source>  Guardrails:</source>
        <translation>  Guardrails:</translation>
    </message>
    <message>
        <source>  Decisions:</source>
        <translation>  Entscheidungen:</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <source>Start a phased rollout of a flag; the controller advances it when hold times pass and guardrails are healthy.</source>
        <translation>Einen stufenweisen Rollout eines Flags starten; der Controller schaltet ihn weiter, wenn die Haltezeiten abgelaufen und die Guardrails in Ordnung sind.</translation>
    </message>
    <message>
        <source>Flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>Phases PERCENT:HOLD or segment=NAME:HOLD, comma-separated; the last needs no hold.</source>
        <translation>Phasen PROZENT:HALTEZEIT oder segment=NAME:HALTEZEIT, durch Kommas getrennt; die letzte braucht keine Haltezeit.</translation>
    </message>
    <message>
        <source>canary, daily or ladder.</source>
        <translation>canary, daily oder ladder.</translation>
    </message>
    <message>
        <source>Started the rollout of %1 at %2 (plan %3).</source>
        <translation>Rollout von %1 bei %2 gestartet (Plan %3).</translation>
    </message>
    <message>
        <source>Rollouts with their phase, time left, guardrails in words and the decision ledger.</source>
        <translation>Rollouts mit Phase, Restzeit, Guardrails in Worten und dem Entscheidungsjournal.</translation>
    </message>
    <message>
        <source>Flag key (default: every active rollout)</source>
        <translation>Flag-Schlüssel (Vorgabe: jeder aktive Rollout)</translation>
    </message>
    <message>
        <source>Flag %1 has never had a rollout.</source>
        <translation>Flag %1 hatte noch nie einen Rollout.</translation>
    </message>
    <message>
        <source>No active rollouts. Start one with: syncpilot-cli rollout start KEY --template canary</source>
        <translation>Keine aktiven Rollouts. Einen starten mit: syncpilot-cli rollout start SCHLÜSSEL --template canary</translation>
    </message>
    <message>
        <source>Move a rollout to its next phase now.</source>
        <translation>Einen Rollout jetzt in seine nächste Phase schalten.</translation>
    </message>
    <message>
        <source>Pause a rollout: the controller stops advancing it.</source>
        <translation>Einen Rollout pausieren: der Controller schaltet ihn nicht mehr weiter.</translation>
    </message>
    <message>
        <source>Resume a paused rollout; its phase&apos;s hold time starts again.</source>
        <translation>Einen pausierten Rollout fortsetzen; die Haltezeit seiner Phase beginnt von vorn.</translation>
    </message>
    <message>
        <source>Stop a rollout where it is; the flag keeps its settings.</source>
        <translation>Einen Rollout an seiner aktuellen Stelle beenden; das Flag behält seine Einstellungen.</translation>
    </message>
    <message>
        <source>Rollout of %1: %2 at %3.</source>
        <translation>Rollout von %1: %2 bei %3.</translation>
    </message>
    <message>
        <source>Replay recorded runs through a plan and its guardrails: when it would have advanced, paused or rolled back.</source>
        <translation>Aufgezeichnete Läufe mit einem Plan und seinen Guardrails nachspielen: wann er weitergeschaltet, pausiert oder zurückgerollt hätte.</translation>
    </message>
    <message>
        <source>The plan to try.</source>
        <translation>Der zu erprobende Plan.</translation>
    </message>
    <message>
        <source>Start of the replay (ISO 8601 or an age: 7d).</source>
        <translation>Beginn des nachgespielten Zeitraums (ISO 8601 oder ein Alter: 7d).</translation>
    </message>
    <message>
        <source>End of the replay (default: now).</source>
        <translation>Ende des nachgespielten Zeitraums (Vorgabe: jetzt).</translation>
    </message>
    <message>
        <source>Controller interval to simulate (default 1m).</source>
        <translation>Zu simulierendes Controller-Intervall (Vorgabe 1m).</translation>
    </message>
    <message>
        <source>--from T is required.</source>
        <translation>--from T ist erforderlich.</translation>
    </message>
    <message>
        <source>--to must be after --from.</source>
        <translation>--to muss nach --from liegen.</translation>
    </message>
    <message numerus="yes">
        <source>Backtest of %1 with plan %2 over %n run record(s):</source>
        <translation>
            <numerusform>Backtest von %1 mit Plan %2 anhand von %n Laufdatensatz:</numerusform>
            <numerusform>Backtest von %1 mit Plan %2 anhand von %n Laufdatensätzen:</numerusform>
        </translation>
    </message>
    <message>
        <source>Final state: %1 at %2.</source>
        <translation>Endzustand: %1 bei %2.</translation>
    </message>
    <message>
        <source>The guardrails in force for a flag (built-in defaults, workspace defaults, the flag&apos;s own) in words.</source>
        <translation>Die für ein Flag geltenden Guardrails in Worten (eingebaute Vorgaben, Vorgaben des Arbeitsbereichs, die eigenen des Flags).</translation>
    </message>
    <message>
        <source>Add or replace a guardrail, e.g. &quot;error_rate &gt; 5% window=10m min=50 action=rollback&quot;.</source>
        <translation>Eine Guardrail hinzufügen oder ersetzen, z. B. „error_rate &gt; 5% window=10m min=50 action=rollback“.</translation>
    </message>
    <message>
        <source>[KEY] NAME SPEC</source>
        <translation>[SCHLÜSSEL] NAME REGEL</translation>
    </message>
    <message>
        <source>Set it for every flag of the workspace.</source>
        <translation>Für jedes Flag des Arbeitsbereichs setzen.</translation>
    </message>
    <message>
        <source>Expected KEY NAME SPEC, or --default NAME SPEC.</source>
        <translation>SCHLÜSSEL NAME REGEL oder --default NAME REGEL erwartet.</translation>
    </message>
    <message>
        <source>Guardrail %1 for %2: %3.</source>
        <translation>Guardrail %1 für %2: %3.</translation>
    </message>
    <message>
        <source>every flag</source>
        <translation>jedes Flag</translation>
    </message>
    <message>
        <source>Switch a guardrail off for a flag (or for every flag), including a built-in one.</source>
        <translation>Eine Guardrail für ein Flag (oder für jedes Flag) ausschalten, auch eine eingebaute.</translation>
    </message>
    <message>
        <source>[KEY] NAME</source>
        <translation>[SCHLÜSSEL] NAME</translation>
    </message>
    <message>
        <source>For every flag of the workspace.</source>
        <translation>Für jedes Flag des Arbeitsbereichs.</translation>
    </message>
    <message>
        <source>Expected KEY NAME, or --default NAME.</source>
        <translation>SCHLÜSSEL NAME oder --default NAME erwartet.</translation>
    </message>
    <message>
        <source>No guardrail &quot;%1&quot; is in force for %2.</source>
        <translation>Für %2 gilt keine Guardrail „%1“.</translation>
    </message>
    <message>
        <source>the workspace</source>
        <translation>den Arbeitsbereich</translation>
    </message>
    <message>
        <source>Guardrail %1 is off for %2.</source>
        <translation>Guardrail %1 ist für %2 aus.</translation>
    </message>
    <message>
        <source>Remove a guardrail set with guardrail set/disable (the built-in default applies again).</source>
        <translation>Eine mit guardrail set/disable gesetzte Guardrail entfernen (die eingebaute Vorgabe gilt wieder).</translation>
    </message>
    <message>
        <source>The workspace-wide one.</source>
        <translation>Die für den ganzen Arbeitsbereich geltende.</translation>
    </message>
    <message>
        <source>Removed guardrail %1.</source>
        <translation>Guardrail %1 entfernt.</translation>
    </message>
    <message>
        <source>%1 s left</source>
        <translation>noch %1 s</translation>
    </message>
</context>
<context>
    <name>RolloutPlan</name>
    <message>
        <source>%1: &quot;%2&quot; is not a duration; use a number with s, m, h or d (e.g. 24h, 90m, 2d).</source>
        <translation>%1: „%2“ ist keine Dauer; eine Zahl mit s, m, h oder d verwenden (z. B. 24h, 90m, 2d).</translation>
    </message>
    <message>
        <source>segment %1</source>
        <translation>Segment %1</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Plan phase %1 (&quot;%2&quot;)</source>
        <translation>Planphase %1 („%2“)</translation>
    </message>
    <message>
        <source>Plan &quot;%1&quot;: phase %2 is empty.</source>
        <translation>Plan „%1“: Phase %2 ist leer.</translation>
    </message>
    <message>
        <source>%1: the hold time must be longer than zero.</source>
        <translation>%1: die Haltezeit muss länger als null sein.</translation>
    </message>
    <message>
        <source>%1: percentages must rise from phase to phase.</source>
        <translation>%1: die Prozentwerte müssen von Phase zu Phase steigen.</translation>
    </message>
    <message>
        <source>%1: every phase but the last needs a hold time, e.g. 25:48h.</source>
        <translation>%1: jede Phase außer der letzten braucht eine Haltezeit, z. B. 25:48h.</translation>
    </message>
    <message>
        <source>The plan is empty.</source>
        <translation>Der Plan ist leer.</translation>
    </message>
    <message>
        <source>Unknown template &quot;%1&quot;: use canary, daily or ladder.</source>
        <translation>Unbekannte Vorlage „%1“: canary, daily oder ladder verwenden.</translation>
    </message>
</context>
<context>
    <name>RolloutStore</name>
    <message>
        <source>Flag %1 has no active rollout; start one with: syncpilot-cli rollout start %1 --template canary</source>
        <translation>Flag %1 hat keinen aktiven Rollout; einen starten mit: syncpilot-cli rollout start %1 --template canary</translation>
    </message>
    <message>
        <source>The rollout of %1 was changed by someone else meanwhile; nothing was changed.</source>
        <translation>Der Rollout von %1 wurde inzwischen von jemand anderem geändert; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>The plan is empty.</source>
        <translation>Der Plan ist leer.</translation>
    </message>
    <message>
        <source>Unknown flag &quot;%1&quot;; nothing was started.</source>
        <translation>Unbekanntes Flag „%1“; nichts wurde gestartet.</translation>
    </message>
    <message>
        <source>The plan needs segment &quot;%1&quot;, which does not exist; create it with: syncpilot-cli segment create %1 --keys-file FILE</source>
        <translation>Der Plan braucht das Segment „%1“, das nicht existiert; anlegen mit: syncpilot-cli segment create %1 --keys-file DATEI</translation>
    </message>
    <message>
        <source>Flag %1 already has a %2 rollout (%3); pause, abort or finish it first.</source>
        <translation>Flag %1 hat bereits einen Rollout im Zustand %2 (%3); pausieren, abbrechen oder beenden Sie ihn zuerst.</translation>
    </message>
    <message>
        <source>Started %1 at %2 (plan %3).</source>
        <translation>%1 bei %2 gestartet (Plan %3).</translation>
    </message>
    <message>
        <source>The rollout of %1 is %2; resume it before advancing.</source>
        <translation>Der Rollout von %1 ist im Zustand %2; setzen Sie ihn fort, bevor Sie ihn weiterschalten.</translation>
    </message>
    <message>
        <source>The rollout of %1 is already at its last phase.</source>
        <translation>Der Rollout von %1 ist bereits in seiner letzten Phase.</translation>
    </message>
    <message>
        <source>Advanced %1 from %2 to %3.</source>
        <translation>%1 von %2 auf %3 weitergeschaltet.</translation>
    </message>
    <message>
        <source>Completed the rollout of %1 at %2.</source>
        <translation>Rollout von %1 bei %2 abgeschlossen.</translation>
    </message>
    <message>
        <source>Paused %1 at %2: %3</source>
        <translation>%1 bei %2 pausiert: %3</translation>
    </message>
    <message>
        <source>The rollout of %1 is %2, not paused.</source>
        <translation>Der Rollout von %1 ist im Zustand %2, nicht pausiert.</translation>
    </message>
    <message>
        <source>Resumed %1 at %2; the phase&apos;s hold time starts again.</source>
        <translation>%1 bei %2 fortgesetzt; die Haltezeit der Phase beginnt von vorn.</translation>
    </message>
    <message>
        <source>The rollout of %1 is not running its last phase.</source>
        <translation>Der Rollout von %1 läuft nicht in seiner letzten Phase.</translation>
    </message>
    <message>
        <source>Aborted the rollout of %1 at %2; the flag keeps its settings.</source>
        <translation>Rollout von %1 bei %2 abgebrochen; das Flag behält seine Einstellungen.</translation>
    </message>
</context>
<context>
    <name>RunRecord</name>
    <message>
        <source>%1: field &quot;%2&quot; %3</source>
        <translation>%1: Feld „%2“ %3</translation>
    </message>
    <message>
        <source>must be a non-negative integer</source>
        <translation>muss eine nicht negative ganze Zahl sein</translation>
    </message>
    <message>
        <source>is required</source>
        <translation>ist erforderlich</translation>
    </message>
    <message>
        <source>must be a string</source>
        <translation>muss eine Zeichenkette sein</translation>
    </message>
    <message>
        <source>must be true or false</source>
        <translation>muss true oder false sein</translation>
    </message>
    <message>
        <source>%1: unknown field &quot;%2&quot; (known fields: %3)</source>
        <translation>%1: unbekanntes Feld „%2“ (bekannte Felder: %3)</translation>
    </message>
    <message>
        <source>must be &quot;legacy&quot;, &quot;sync&quot; or &quot;shadow&quot;, not &quot;%1&quot;</source>
        <translation>muss „legacy“, „sync“ oder „shadow“ sein, nicht „%1“</translation>
    </message>
    <message>
        <source>must be an ISO-8601 time with a zone, e.g. 2026-03-02T08:00:00.000Z, not &quot;%1&quot;</source>
        <translation>muss eine ISO-8601-Zeit mit Zeitzone sein, z. B. 2026-03-02T08:00:00.000Z, nicht „%1“</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>field &quot;%1&quot; %2</source>
        <translation>Feld „%1“ %2</translation>
    </message>
    <message>
        <source>field &quot;flag&quot;: %1</source>
        <translation>Feld „flag“: %1</translation>
    </message>
    <message>
        <source>must not be before 1970-01-01T00:00:00Z</source>
        <translation>darf nicht vor 1970-01-01T00:00:00Z liegen</translation>
    </message>
    <message>
        <source>must be empty when &quot;ok&quot; is true</source>
        <translation>muss leer sein, wenn „ok“ true ist</translation>
    </message>
    <message>
        <source>must be a short lower-case word such as network, http_5xx or mapping, not &quot;%1&quot;</source>
        <translation>muss ein kurzes kleingeschriebenes Wort wie network, http_5xx oder mapping sein, nicht „%1“</translation>
    </message>
    <message>
        <source>can only be true for a failed run (&quot;ok&quot;: false)</source>
        <translation>kann nur bei einem fehlgeschlagenen Lauf true sein (&quot;ok&quot;: false)</translation>
    </message>
</context>
<context>
    <name>RunRecordStore</name>
    <message>
        <source>Workspace %1 is read-only; nothing was changed.</source>
        <translation>Arbeitsbereich %1 ist schreibgeschützt; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Database error in workspace %1: %2 (statement: %3)</source>
        <translation>Datenbankfehler in Arbeitsbereich %1: %2 (Anweisung: %3)</translation>
    </message>
    <message>
        <source>Workspace %1: a metrics bucket holds a malformed latency histogram (&quot;%2&quot;).</source>
        <translation>Arbeitsbereich %1: ein Metrik-Bucket enthält ein fehlerhaftes Latenz-Histogramm („%2“).</translation>
    </message>
    <message>
        <source>run record %1: %2</source>
        <translation>Laufdatensatz %1: %2</translation>
    </message>
    <message>
        <source>%1: cannot read the file: %2</source>
        <translation>%1: die Datei kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: the line is not valid UTF-8</source>
        <translation>%1: die Zeile ist kein gültiges UTF-8</translation>
    </message>
    <message>
        <source>%1: malformed JSON at column %2: %3</source>
        <translation>%1: fehlerhaftes JSON in Spalte %2: %3</translation>
    </message>
    <message>
        <source>%1: expected a JSON object (one run record a line)</source>
        <translation>%1: JSON-Objekt erwartet (ein Laufdatensatz pro Zeile)</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n more bad line(s) not shown</source>
        <translation>
            <numerusform>%1: %n weitere fehlerhafte Zeile nicht angezeigt</numerusform>
            <numerusform>%1: %n weitere fehlerhafte Zeilen nicht angezeigt</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing was ingested.</source>
        <translation>Es wurde nichts eingelesen.</translation>
    </message>
    <message>
        <source>%1: no run records in the file (it is empty); nothing was ingested.</source>
        <translation>%1: keine Laufdatensätze in der Datei (sie ist leer); es wurde nichts eingelesen.</translation>
    </message>
    <message>
        <source>A series needs a step of at least one second.</source>
        <translation>Eine Zeitreihe braucht eine Schrittweite von mindestens einer Sekunde.</translation>
    </message>
    <message>
        <source>A series of %1 intervals is too long; use a larger step.</source>
        <translation>Eine Zeitreihe mit %1 Intervallen ist zu lang; verwenden Sie eine größere Schrittweite.</translation>
    </message>
    <message>
        <source>%1 must be between 1 and %2 days, not %3.</source>
        <translation>%1 muss zwischen 1 und %2 Tagen liegen, nicht %3.</translation>
    </message>
    <message>
        <source>Raw run-record retention</source>
        <translation>Die Aufbewahrungsdauer der Roh-Laufdatensätze</translation>
    </message>
    <message>
        <source>Bucket retention</source>
        <translation>Die Aufbewahrungsdauer der Buckets</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <source>Workspace %1 is not a valid PostgreSQL URL (expected postgresql://user:password@host:port/database).</source>
        <translation>Arbeitsbereich %1 ist keine gültige PostgreSQL-URL (erwartet: postgresql://benutzer:passwort@host:port/datenbank).</translation>
    </message>
    <message>
        <source>The Qt PostgreSQL driver (QPSQL) is not installed; install libqt6sql6-psql.</source>
        <translation>Der Qt-PostgreSQL-Treiber (QPSQL) ist nicht installiert; installieren Sie libqt6sql6-psql.</translation>
    </message>
    <message>
        <source>Cannot connect to the PostgreSQL workspace %1: %2</source>
        <translation>Keine Verbindung zum PostgreSQL-Arbeitsbereich %1: %2</translation>
    </message>
    <message>
        <source>Workspace %1 is a directory, not a workspace file.</source>
        <translation>Arbeitsbereich %1 ist ein Ordner, keine Arbeitsbereichsdatei.</translation>
    </message>
    <message>
        <source>Workspace %1 cannot be read: %2</source>
        <translation>Arbeitsbereich %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a SyncPilot workspace: it is not an SQLite database file.</source>
        <translation>%1 ist kein SyncPilot-Arbeitsbereich: es ist keine SQLite-Datenbankdatei.</translation>
    </message>
    <message>
        <source>Cannot create the folder for workspace %1.</source>
        <translation>Der Ordner für Arbeitsbereich %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>The Qt SQLite driver (QSQLITE) is not installed; install libqt6sql6-sqlite.</source>
        <translation>Der Qt-SQLite-Treiber (QSQLITE) ist nicht installiert; installieren Sie libqt6sql6-sqlite.</translation>
    </message>
    <message>
        <source>Cannot open workspace %1: %2</source>
        <translation>Arbeitsbereich %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a usable SyncPilot workspace: %2</source>
        <translation>%1 ist kein verwendbarer SyncPilot-Arbeitsbereich: %2</translation>
    </message>
    <message>
        <source>%1 is an SQLite database but not a SyncPilot workspace.</source>
        <translation>%1 ist eine SQLite-Datenbank, aber kein SyncPilot-Arbeitsbereich.</translation>
    </message>
    <message>
        <source>Workspace %1 is read-only; nothing was changed.</source>
        <translation>Arbeitsbereich %1 ist schreibgeschützt; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Database error in workspace %1: %2 (statement: %3)</source>
        <translation>Datenbankfehler in Arbeitsbereich %1: %2 (Anweisung: %3)</translation>
    </message>
    <message>
        <source>Workspace %1 is busy (another process holds the write lock): %2</source>
        <translation>Arbeitsbereich %1 ist belegt (ein anderer Prozess hält die Schreibsperre): %2</translation>
    </message>
    <message>
        <source>Workspace %1 is read-only and needs a schema upgrade; open it writable once.</source>
        <translation>Arbeitsbereich %1 ist schreibgeschützt und braucht eine Schema-Aktualisierung; öffnen Sie ihn einmal mit Schreibrechten.</translation>
    </message>
    <message>
        <source>The PostgreSQL database %1 holds no SyncPilot workspace yet; create it with: syncpilot-cli --workspace %1 init</source>
        <translation>Die PostgreSQL-Datenbank %1 enthält noch keinen SyncPilot-Arbeitsbereich; anlegen mit: syncpilot-cli --workspace %1 init</translation>
    </message>
    <message>
        <source>Workspace %1 does not exist; create it with: syncpilot-cli --workspace %1 init</source>
        <translation>Arbeitsbereich %1 existiert nicht; anlegen mit: syncpilot-cli --workspace %1 init</translation>
    </message>
    <message>
        <source>Cannot open a second connection to workspace %1: %2</source>
        <translation>Eine zweite Verbindung zum Arbeitsbereich %1 kann nicht geöffnet werden: %2</translation>
    </message>
</context>
<context>
    <name>WorkspaceCommands</name>
    <message>
        <source>Create the workspace (or bring its schema up to date); --demo fills an empty one with sample data.</source>
        <translation>Den Arbeitsbereich anlegen (oder sein Schema aktualisieren); --demo füllt einen leeren mit Beispieldaten.</translation>
    </message>
    <message>
        <source>Add the demo flags and segments.</source>
        <translation>Die Demo-Flags und -Segmente hinzufügen.</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message numerus="yes">
        <source>Workspace %1 is ready (schema %2, %n flag(s)).</source>
        <translation>
            <numerusform>Arbeitsbereich %1 ist bereit (Schema %2, %n Flag).</numerusform>
            <numerusform>Arbeitsbereich %1 ist bereit (Schema %2, %n Flags).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>SyncPilot: roll out data-sync features safely, and roll them back.</source>
        <translation>SyncPilot: Datensync-Funktionen sicher ausrollen und zurückrollen.</translation>
    </message>
    <message>
        <source>Open the workspace at PATH (an SQLite file) or a postgresql:// URL.</source>
        <translation>Den Arbeitsbereich unter PFAD (eine SQLite-Datei) oder einer postgresql://-URL öffnen.</translation>
    </message>
    <message>
        <source>PATH|URL</source>
        <translation>PFAD|URL</translation>
    </message>
    <message>
        <source>Open the demo workspace (filled with sample flags on first use).</source>
        <translation>Den Demo-Arbeitsbereich öffnen (beim ersten Mal mit Beispiel-Flags gefüllt).</translation>
    </message>
    <message>
        <source>Language of the user interface: de or en (default: the system language).</source>
        <translation>Sprache der Benutzeroberfläche: de oder en (Vorgabe: die Systemsprache).</translation>
    </message>
    <message>
        <source>LANG</source>
        <translation>SPRACHE</translation>
    </message>
    <message>
        <source>Save a picture of the main window as a PNG file and exit.</source>
        <translation>Ein Bild des Hauptfensters als PNG-Datei speichern und beenden.</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>DATEI</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;; see --help.</source>
        <translation>Unerwartetes Argument „%1“; siehe --help.</translation>
    </message>
    <message>
        <source>Unknown language &quot;%1&quot;; use de or en.</source>
        <translation>Unbekannte Sprache „%1“; de oder en verwenden.</translation>
    </message>
    <message>
        <source>Use either --workspace or --demo, not both.</source>
        <translation>Entweder --workspace oder --demo verwenden, nicht beides.</translation>
    </message>
    <message>
        <source>--screenshot needs a file name.</source>
        <translation>--screenshot braucht einen Dateinamen.</translation>
    </message>
    <message>
        <source>SyncPilot</source>
        <translation>SyncPilot</translation>
    </message>
    <message>
        <source>The workspace could not be opened.</source>
        <translation>Der Arbeitsbereich konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>Cannot write the screenshot to %1.</source>
        <translation>Das Bildschirmfoto kann nicht nach %1 geschrieben werden.</translation>
    </message>
</context>
<context>
    <name>sp::FlagTableModel</name>
    <message>
        <source>%1 %</source>
        <comment>rollout percentage</comment>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>On (kill switch)</source>
        <translation>An (Notschalter)</translation>
    </message>
    <message>
        <source>On</source>
        <translation>An</translation>
    </message>
    <message>
        <source>by %1, %2</source>
        <comment>last change: who, when</comment>
        <translation>von %1, %2</translation>
    </message>
    <message>
        <source>The kill switch is on: this flag is tagged sync, so it evaluates to off everywhere.</source>
        <translation>Der Notschalter ist an: dieses Flag hat das Tag sync und ist daher überall aus.</translation>
    </message>
    <message>
        <source>Included segments: %1</source>
        <translation>Eingeschlossene Segmente: %1</translation>
    </message>
    <message>
        <source>Excluded segments: %1</source>
        <translation>Ausgeschlossene Segmente: %1</translation>
    </message>
    <message>
        <source>Flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Rollout %</source>
        <translation>Rollout %</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Prerequisites</source>
        <translation>Voraussetzungen</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>Letzte Änderung</translation>
    </message>
    <message>
        <source>The flag&apos;s master switch. Tick or untick to turn it on or off for everyone.</source>
        <translation>Der Hauptschalter des Flags. Ankreuzen oder abwählen, um es für alle ein- oder auszuschalten.</translation>
    </message>
    <message>
        <source>Share of targeting keys that get the flag while it is on.</source>
        <translation>Anteil der Targeting-Schlüssel, die das Flag erhalten, solange es an ist.</translation>
    </message>
    <message>
        <source>Flags that must be on for the same context.</source>
        <translation>Flags, die für denselben Kontext an sein müssen.</translation>
    </message>
</context>
<context>
    <name>sp::MainWindow</name>
    <message>
        <source>SyncPilot — %1 (read-only)</source>
        <translation>SyncPilot — %1 (schreibgeschützt)</translation>
    </message>
    <message>
        <source>SyncPilot — %1</source>
        <translation>SyncPilot — %1</translation>
    </message>
    <message>
        <source>Cannot read the workspace: %1</source>
        <translation>Der Arbeitsbereich kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Kill switch</source>
        <translation>Notschalter</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Neu laden</translation>
    </message>
    <message>
        <source>Read the flags from the workspace again (F5)</source>
        <translation>Die Flags erneut aus dem Arbeitsbereich lesen (F5)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>F&amp;lags</source>
        <translation>F&amp;lags</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>Arbeitsbereich</translation>
    </message>
    <message>
        <source>Workspace toolbar</source>
        <translation>Werkzeugleiste Arbeitsbereich</translation>
    </message>
    <message>
        <source>Workspace:</source>
        <translation>Arbeitsbereich:</translation>
    </message>
    <message>
        <source>Workspace location</source>
        <translation>Ort des Arbeitsbereichs</translation>
    </message>
    <message>
        <source>Kill switch state</source>
        <translation>Zustand des Notschalters</translation>
    </message>
    <message>
        <source>The kill switch is on: every flag tagged sync is off for everyone.</source>
        <translation>Der Notschalter ist an: jedes Flag mit dem Tag sync ist für alle aus.</translation>
    </message>
    <message>
        <source>Filter flags</source>
        <translation>Flags filtern</translation>
    </message>
    <message>
        <source>Filter by key, description, tag or prerequisite…</source>
        <translation>Nach Schlüssel, Beschreibung, Tag oder Voraussetzung filtern…</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Flags</translation>
    </message>
    <message>
        <source>Flag count</source>
        <translation>Anzahl der Flags</translation>
    </message>
    <message>
        <source>Workspace revision</source>
        <translation>Revision des Arbeitsbereichs</translation>
    </message>
    <message>
        <source>The kill switch is on. Turn it off to let sync flags follow their own state again.</source>
        <translation>Der Notschalter ist an. Schalten Sie ihn aus, damit Sync-Flags wieder ihrem eigenen Zustand folgen.</translation>
    </message>
    <message>
        <source>Turn every flag tagged sync off at once, for everyone.</source>
        <translation>Jedes Flag mit dem Tag sync sofort für alle ausschalten.</translation>
    </message>
    <message>
        <source>Revision %1</source>
        <translation>Revision %1</translation>
    </message>
    <message>
        <source>Flags: %1</source>
        <translation>Flags: %1</translation>
    </message>
    <message>
        <source>Flags: %1 of %2</source>
        <translation>Flags: %1 von %2</translation>
    </message>
    <message>
        <source>Turn the kill switch on</source>
        <translation>Notschalter einschalten</translation>
    </message>
    <message>
        <source>Turn the kill switch off</source>
        <translation>Notschalter ausschalten</translation>
    </message>
    <message>
        <source>Every flag tagged sync goes off for everyone at once.
Reason (kept in the audit log):</source>
        <translation>Jedes Flag mit dem Tag sync geht sofort für alle aus.
Begründung (wird im Audit-Protokoll festgehalten):</translation>
    </message>
    <message>
        <source>Flags tagged sync follow their own state and rollout again.
Reason (kept in the audit log):</source>
        <translation>Flags mit dem Tag sync folgen wieder ihrem eigenen Zustand und Rollout.
Begründung (wird im Audit-Protokoll festgehalten):</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>Einschalten</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>Ausschalten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Kill switch on.</source>
        <translation>Notschalter an.</translation>
    </message>
    <message>
        <source>Kill switch off.</source>
        <translation>Notschalter aus.</translation>
    </message>
    <message>
        <source>Change not saved</source>
        <translation>Änderung nicht gespeichert</translation>
    </message>
    <message>
        <source>No flags yet.
Create one with: syncpilot-cli flag create KEY</source>
        <translation>Noch keine Flags.
Eines anlegen mit: syncpilot-cli flag create SCHLÜSSEL</translation>
    </message>
    <message>
        <source>No flag matches “%1”.</source>
        <translation>Kein Flag passt zu „%1“.</translation>
    </message>
</context>
</TS>
