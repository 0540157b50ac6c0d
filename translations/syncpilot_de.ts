<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
    <message numerus="yes">
        <source>Wrote %n audit entries to %1.</source>
        <translation>
            <numerusform>%n Audit-Eintrag nach %1 geschrieben.</numerusform>
            <numerusform>%n Audit-Einträge nach %1 geschrieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check the hash chain; exit 1 naming the first edited or deleted entry.</source>
        <translation>Die Hash-Kette prüfen; Exit-Code 1 und Angabe des ersten geänderten oder gelöschten Eintrags.</translation>
    </message>
    <message numerus="yes">
        <source>Audit chain intact: %n entries, head %1.</source>
        <translation>
            <numerusform>Audit-Kette intakt: %n Eintrag, Kopf %1.</numerusform>
            <numerusform>Audit-Kette intakt: %n Einträge, Kopf %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Audit chain BROKEN at entry %1: %2.</source>
        <translation>Audit-Kette BESCHÄDIGT bei Eintrag %1: %2.</translation>
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
        <source>Expected exactly one %1.</source>
        <translation>Genau ein(e) %1 erwartet.</translation>
    </message>
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
