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
        <source>%1  sync %2: %3 target(s), %4 failed%5%6</source>
        <translation>%1  Sync %2: %3 Ziel(e), %4 fehlgeschlagen%5%6</translation>
    </message>
    <message>
        <source> [REHEARSAL: %1]</source>
        <translation> [PROBELAUF: %1]</translation>
    </message>
    <message>
        <source>  sync path of %1 switched off: %2</source>
        <translation>  Sync-Pfad von %1 abgeschaltet: %2</translation>
    </message>
    <message>
        <source>Run the controller only; leave sync configs to another agent.</source>
        <translation>Nur den Controller ausführen; Sync-Konfigurationen einem anderen Agenten überlassen.</translation>
    </message>
</context>
<context>
    <name>AtomicFile</name>
    <message>
        <source>Cannot write %1: it is a directory.</source>
        <translation>%1 kann nicht geschrieben werden: es ist ein Ordner.</translation>
    </message>
    <message>
        <source>Cannot write %1: the folder %2 does not exist.</source>
        <translation>%1 kann nicht geschrieben werden: der Ordner %2 existiert nicht.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot read %1: it is a directory.</source>
        <translation>%1 kann nicht gelesen werden: es ist ein Ordner.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
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
        <source>The file to write (atomically).</source>
        <translation>Die zu schreibende Datei (atomar).</translation>
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
    <message>
        <source>Export audit entries (verified first; stamped with the chain head) as CSV, JSON Lines or a PDF report.</source>
        <translation>Audit-Einträge exportieren (zuvor geprüft; mit dem Kettenkopf gestempelt) als CSV, JSON Lines oder PDF-Bericht.</translation>
    </message>
    <message>
        <source>csv, jsonl or pdf (a report: summary, chart of the period, table).</source>
        <translation>csv, jsonl oder pdf (ein Bericht: Zusammenfassung, Diagramm des Zeitraums, Tabelle).</translation>
    </message>
    <message>
        <source>--format must be csv, jsonl or pdf.</source>
        <translation>--format muss csv, jsonl oder pdf sein.</translation>
    </message>
</context>
<context>
    <name>AuditEntryFormatter</name>
    <message>
        <source>Entry #%1: %2 on %3</source>
        <translation>Eintrag #%1: %2 für %3</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>%1 (%2 UTC)</source>
        <translation>%1 (%2 UTC)</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>%1, signed in as %2</source>
        <translation>%1, angemeldet als %2</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>(none given)</source>
        <translation>(keiner angegeben)</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>the value</source>
        <translation>der Wert</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Vorher</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Nachher</translation>
    </message>
    <message>
        <source>Previous hash</source>
        <translation>Vorheriger Hash</translation>
    </message>
    <message>
        <source>This hash</source>
        <translation>Dieser Hash</translation>
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
    <name>AuditReport</name>
    <message>
        <source>Cannot start the PDF report (the PDF engine refused to paint).</source>
        <translation>Der PDF-Bericht kann nicht begonnen werden (die PDF-Ausgabe verweigert das Zeichnen).</translation>
    </message>
    <message>
        <source>SyncPilot audit report: %1</source>
        <translation>SyncPilot-Audit-Bericht: %1</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
    <message>
        <source>%1 to %2 (UTC)</source>
        <translation>%1 bis %2 (UTC)</translation>
    </message>
    <message>
        <source>from %1 (UTC)</source>
        <translation>ab %1 (UTC)</translation>
    </message>
    <message>
        <source>before %1 (UTC)</source>
        <translation>vor %1 (UTC)</translation>
    </message>
    <message>
        <source>all time (no entries)</source>
        <translation>gesamter Zeitraum (keine Einträge)</translation>
    </message>
    <message>
        <source>all time: %1 to %2 (UTC)</source>
        <translation>gesamter Zeitraum: %1 bis %2 (UTC)</translation>
    </message>
    <message>
        <source>actor = %1</source>
        <translation>Akteur = %1</translation>
    </message>
    <message>
        <source>object = %1</source>
        <translation>Objekt = %1</translation>
    </message>
    <message>
        <source>action = %1</source>
        <translation>Aktion = %1</translation>
    </message>
    <message>
        <source>newest %1 only</source>
        <translation>nur die neuesten %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 via %2</source>
        <translation>%1 über %2</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message numerus="yes">
        <source>%n other(s)</source>
        <translation>
            <numerusform>%n weiterer</numerusform>
            <numerusform>%n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>Audit report</source>
        <translation>Audit-Bericht</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>Arbeitsbereich</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Entries</source>
        <translation>Einträge</translation>
    </message>
    <message>
        <source>%1 of %2 in the log</source>
        <translation>%1 von %2 im Protokoll</translation>
    </message>
    <message>
        <source>Chain</source>
        <translation>Kette</translation>
    </message>
    <message numerus="yes">
        <source>verified intact (%n record(s))</source>
        <translation>
            <numerusform>unversehrt geprüft (%n Eintrag)</numerusform>
            <numerusform>unversehrt geprüft (%n Einträge)</numerusform>
        </translation>
    </message>
    <message>
        <source>Chain head</source>
        <translation>Kettenkopf</translation>
    </message>
    <message>
        <source>Verified at</source>
        <translation>Geprüft am</translation>
    </message>
    <message>
        <source>%1 (UTC)</source>
        <translation>%1 (UTC)</translation>
    </message>
    <message>
        <source>Generated by</source>
        <translation>Erstellt von</translation>
    </message>
    <message>
        <source>%1, at %2 (UTC)</source>
        <translation>%1, am %2 (UTC)</translation>
    </message>
    <message>
        <source>Entries per action</source>
        <translation>Einträge je Aktion</translation>
    </message>
    <message>
        <source>Entries per actor</source>
        <translation>Einträge je Akteur</translation>
    </message>
    <message>
        <source>No entries in the period, so there is nothing to chart.</source>
        <translation>Keine Einträge im Zeitraum, daher gibt es nichts darzustellen.</translation>
    </message>
    <message>
        <source>Entries per hour (UTC)</source>
        <translation>Einträge je Stunde (UTC)</translation>
    </message>
    <message>
        <source>Entries per day (UTC)</source>
        <translation>Einträge je Tag (UTC)</translation>
    </message>
    <message>
        <source>Entries per week (UTC, weeks start on Monday)</source>
        <translation>Einträge je Woche (UTC, Wochen beginnen am Montag)</translation>
    </message>
    <message>
        <source>Entries per month (UTC)</source>
        <translation>Einträge je Monat (UTC)</translation>
    </message>
    <message>
        <source>Entries per year (UTC)</source>
        <translation>Einträge je Jahr (UTC)</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Zeit (UTC)</translation>
    </message>
    <message>
        <source>Actor / account</source>
        <translation>Akteur / Konto</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Entries %1 to %2 of %3</source>
        <translation>Einträge %1 bis %2 von %3</translation>
    </message>
    <message>
        <source>No entries match the filters.</source>
        <translation>Keine Einträge passen zu den Filtern.</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Audit entries verified against chain head %1 at %2 (UTC).</source>
        <translation>Audit-Einträge geprüft gegen den Kettenkopf %1 am %2 (UTC).</translation>
    </message>
    <message>
        <source>A PDF report needs the graphical part of Qt (QGuiApplication); this program started without it.</source>
        <translation>Ein PDF-Bericht braucht den grafischen Teil von Qt (QGuiApplication); dieses Programm wurde ohne ihn gestartet.</translation>
    </message>
    <message>
        <source>reason contains &quot;%1&quot;</source>
        <translation>Grund enthält „%1“</translation>
    </message>
</context>
<context>
    <name>AuthCommands</name>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>Cannot read the %1 from standard input.</source>
        <translation>%1 kann nicht von der Standardeingabe gelesen werden.</translation>
    </message>
    <message>
        <source>No %1 on standard input: pipe it in, e.g. `… | syncpilot-cli auth figma set-token`.</source>
        <translation>Kein %1 auf der Standardeingabe: leiten Sie es per Pipe ein, z. B. `… | syncpilot-cli auth figma set-token`.</translation>
    </message>
    <message>
        <source>Show the Google account signed in on this computer and whether a Figma token is stored.</source>
        <translation>Das auf diesem Computer angemeldete Google-Konto anzeigen und ob ein Figma-Token gespeichert ist.</translation>
    </message>
    <message>
        <source>Google: signed in as %1</source>
        <translation>Google: angemeldet als %1</translation>
    </message>
    <message>
        <source>(unknown account)</source>
        <translation>(unbekanntes Konto)</translation>
    </message>
    <message>
        <source>Google: not signed in</source>
        <translation>Google: nicht angemeldet</translation>
    </message>
    <message>
        <source>Google client: %1</source>
        <translation>Google-Client: %1</translation>
    </message>
    <message>
        <source>not configured</source>
        <translation>nicht konfiguriert</translation>
    </message>
    <message>
        <source>Google client secret: %1</source>
        <translation>Google-Client-Secret: %1</translation>
    </message>
    <message>
        <source>stored in the keychain</source>
        <translation>im Schlüsselbund gespeichert</translation>
    </message>
    <message>
        <source>none (public client)</source>
        <translation>keines (öffentlicher Client)</translation>
    </message>
    <message>
        <source>Figma token: %1</source>
        <translation>Figma-Token: %1</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht gesetzt</translation>
    </message>
    <message>
        <source>Set the Google OAuth client and endpoints of this workspace; the client secret goes to the keychain.</source>
        <translation>Den Google-OAuth-Client und die Endpunkte dieses Arbeitsbereichs festlegen; das Client-Secret kommt in den Schlüsselbund.</translation>
    </message>
    <message>
        <source>OAuth client id (a Desktop-app client).</source>
        <translation>OAuth-Client-ID (ein Client vom Typ Desktop-App).</translation>
    </message>
    <message>
        <source>Authorization endpoint.</source>
        <translation>Autorisierungs-Endpunkt.</translation>
    </message>
    <message>
        <source>Token endpoint.</source>
        <translation>Token-Endpunkt.</translation>
    </message>
    <message>
        <source>Revocation endpoint.</source>
        <translation>Widerrufs-Endpunkt.</translation>
    </message>
    <message>
        <source>Space-separated scopes.</source>
        <translation>Durch Leerzeichen getrennte Scopes.</translation>
    </message>
    <message>
        <source>Read the client secret from standard input and keep it in the keychain (empty: remove it).</source>
        <translation>Das Client-Secret von der Standardeingabe lesen und im Schlüsselbund ablegen (leer: entfernen).</translation>
    </message>
    <message>
        <source>Nothing to configure: give at least one of --%1.</source>
        <translation>Nichts zu konfigurieren: mindestens eine der Optionen --%1 angeben.</translation>
    </message>
    <message>
        <source>Google sign-in configured for client %1.</source>
        <translation>Google-Anmeldung für Client %1 konfiguriert.</translation>
    </message>
    <message>
        <source>Sign in to Google in the browser; the refresh token is kept in the OS keychain.</source>
        <translation>Im Browser bei Google anmelden; das Refresh-Token wird im Schlüsselbund des Betriebssystems aufbewahrt.</translation>
    </message>
    <message>
        <source>Only print the address to open; do not start a browser.</source>
        <translation>Nur die zu öffnende Adresse ausgeben; keinen Browser starten.</translation>
    </message>
    <message>
        <source>How long to wait for the browser (default 300).</source>
        <translation>Wie lange auf den Browser gewartet wird (Vorgabe 300).</translation>
    </message>
    <message>
        <source>--timeout: &quot;%1&quot; is not a number of seconds between 1 and 3600.</source>
        <translation>--timeout: „%1“ ist keine Anzahl von Sekunden zwischen 1 und 3600.</translation>
    </message>
    <message>
        <source>Open this address in a browser to sign in to Google:</source>
        <translation>Öffnen Sie diese Adresse in einem Browser, um sich bei Google anzumelden:</translation>
    </message>
    <message>
        <source>Could not start a browser; open the address above yourself.</source>
        <translation>Es konnte kein Browser gestartet werden; öffnen Sie die obige Adresse selbst.</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for the browser (up to %n second(s))…</source>
        <translation>
            <numerusform>Warten auf den Browser (bis zu %n Sekunde)…</numerusform>
            <numerusform>Warten auf den Browser (bis zu %n Sekunden)…</numerusform>
        </translation>
    </message>
    <message>
        <source>Signed in to Google as %1.</source>
        <translation>Bei Google angemeldet als %1.</translation>
    </message>
    <message>
        <source>Revoke the Google sign-in and remove it from the keychain.</source>
        <translation>Die Google-Anmeldung widerrufen und aus dem Schlüsselbund entfernen.</translation>
    </message>
    <message>
        <source>Signed out of Google (%1).</source>
        <translation>Von Google abgemeldet (%1).</translation>
    </message>
    <message>
        <source>unknown account</source>
        <translation>unbekanntes Konto</translation>
    </message>
    <message>
        <source>Not signed in to Google; nothing to do.</source>
        <translation>Nicht bei Google angemeldet; nichts zu tun.</translation>
    </message>
    <message>
        <source>Store the Figma access token read from standard input in the keychain.</source>
        <translation>Das von der Standardeingabe gelesene Figma-Zugriffstoken im Schlüsselbund speichern.</translation>
    </message>
    <message>
        <source>Figma token</source>
        <translation>Figma-Token</translation>
    </message>
    <message>
        <source>Figma token stored in the keychain.</source>
        <translation>Figma-Token im Schlüsselbund gespeichert.</translation>
    </message>
    <message>
        <source>Remove the Figma access token from the keychain.</source>
        <translation>Das Figma-Zugriffstoken aus dem Schlüsselbund entfernen.</translation>
    </message>
    <message>
        <source>Figma token removed.</source>
        <translation>Figma-Token entfernt.</translation>
    </message>
    <message>
        <source>No Figma token was stored.</source>
        <translation>Es war kein Figma-Token gespeichert.</translation>
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
    <name>BreakerStateStore</name>
    <message>
        <source>A circuit breaker state needs an upstream.</source>
        <translation>Ein Circuit-Breaker-Zustand braucht einen Upstream-Dienst.</translation>
    </message>
    <message>
        <source>Circuit breaker state of %1: &quot;%2&quot; is not closed, open or half_open.</source>
        <translation>Circuit-Breaker-Zustand von %1: „%2“ ist nicht closed, open oder half_open.</translation>
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
    <name>CollectionDiff</name>
    <message>
        <source>collection renamed %1 → %2</source>
        <translation>Sammlung umbenannt: %1 → %2</translation>
    </message>
    <message>
        <source>+ mode %1</source>
        <translation>+ Modus %1</translation>
    </message>
    <message>
        <source>- mode %1</source>
        <translation>- Modus %1</translation>
    </message>
    <message>
        <source>modes reordered: %1</source>
        <translation>Modi neu angeordnet: %1</translation>
    </message>
    <message>
        <source>+ %1</source>
        <translation>+ %1</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>~ %1</source>
        <translation>~ %1</translation>
    </message>
    <message>
        <source>type %1 → %2</source>
        <translation>Typ %1 → %2</translation>
    </message>
    <message>
        <source>description &quot;%1&quot; → &quot;%2&quot;</source>
        <translation>Beschreibung „%1“ → „%2“</translation>
    </message>
    <message>
        <source>%1 %2 → %3</source>
        <translation>%1 %2 → %3</translation>
    </message>
    <message>
        <source>- %1</source>
        <translation>- %1</translation>
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
    <name>CsvReader</name>
    <message>
        <source>%1:%2: not valid UTF-8 (byte %3 of the line); save the file as UTF-8.</source>
        <translation>%1:%2: kein gültiges UTF-8 (Byte %3 der Zeile); speichern Sie die Datei als UTF-8.</translation>
    </message>
    <message>
        <source>%1: the delimiter must be an ASCII character, not &quot;%2&quot;.</source>
        <translation>%1: das Trennzeichen muss ein ASCII-Zeichen sein, nicht „%2“.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; cannot be a delimiter.</source>
        <translation>%1: „%2“ kann kein Trennzeichen sein.</translation>
    </message>
    <message>
        <source>%1:%2: unterminated quoted field in column %3 (a &quot; opens it and no &quot; closes it).</source>
        <translation>%1:%2: nicht abgeschlossenes Feld in Anführungszeichen in Spalte %3 (ein &quot; öffnet es, aber kein &quot; schließt es).</translation>
    </message>
    <message>
        <source>%1:%2: text after the closing quote of the field in column %3; a quote inside a quoted field is written twice (&quot;&quot;).</source>
        <translation>%1:%2: Text nach dem schließenden Anführungszeichen des Felds in Spalte %3; ein Anführungszeichen innerhalb eines Felds in Anführungszeichen wird doppelt geschrieben (&quot;&quot;).</translation>
    </message>
    <message>
        <source>%1:%2: stray quote in the unquoted field in column %3; quote the whole field and write the quote twice (&quot;say &quot;&quot;hi&quot;&quot;&quot;).</source>
        <translation>%1:%2: verirrtes Anführungszeichen im Feld ohne Anführungszeichen in Spalte %3; setzen Sie das ganze Feld in Anführungszeichen und schreiben Sie das Anführungszeichen doppelt (&quot;say &quot;&quot;hi&quot;&quot;&quot;).</translation>
    </message>
    <message>
        <source>Cannot read %1: it is a directory, not a CSV file.</source>
        <translation>%1 kann nicht gelesen werden: es ist ein Ordner, keine CSV-Datei.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
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
    <message>
        <source>Cannot create the demo&apos;s sync folder %1.</source>
        <translation>Der Sync-Ordner der Demo (%1) kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot copy the demo&apos;s sample sheet to %1.</source>
        <translation>Die Beispieltabelle der Demo kann nicht nach %1 kopiert werden.</translation>
    </message>
</context>
<context>
    <name>DtcgFileTarget</name>
    <message>
        <source>Could not remove %1 to restore its earlier absence.</source>
        <translation>%1 konnte nicht entfernt werden, um den früheren Zustand (Datei nicht vorhanden) wiederherzustellen.</translation>
    </message>
</context>
<context>
    <name>DtcgFormat</name>
    <message>
        <source>Collection %1: the mode &quot;%2&quot; appears twice.</source>
        <translation>Sammlung %1: der Modus „%2“ kommt zweimal vor.</translation>
    </message>
    <message>
        <source>Collection %1 has variables but no mode.</source>
        <translation>Sammlung %1 hat Variablen, aber keinen Modus.</translation>
    </message>
    <message>
        <source>%1 is both a variable and a group of variables; DTCG cannot hold both.</source>
        <translation>%1 ist sowohl eine Variable als auch eine Gruppe von Variablen; DTCG kann nicht beides abbilden.</translation>
    </message>
    <message numerus="yes">
        <source>Variable %1 has %n value(s), but the collection has %2 mode(s).</source>
        <translation>
            <numerusform>Variable %1 hat %n Wert, aber die Anzahl der Modi der Sammlung ist %2.</numerusform>
            <numerusform>Variable %1 hat %n Werte, aber die Anzahl der Modi der Sammlung ist %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot;: a name cannot have an empty group or end in &quot;/&quot;.</source>
        <translation>Variable „%1“: ein Name darf keine leere Gruppe enthalten und nicht auf „/“ enden.</translation>
    </message>
    <message>
        <source>Variable %1: DTCG names cannot contain &quot;.&quot;, &quot;{&quot; or &quot;}&quot;.</source>
        <translation>Variable %1: DTCG-Namen dürfen weder „.“ noch „{“ oder „}“ enthalten.</translation>
    </message>
    <message>
        <source>Variable %1: DTCG names cannot start with &quot;$&quot;.</source>
        <translation>Variable %1: DTCG-Namen dürfen nicht mit „$“ beginnen.</translation>
    </message>
    <message>
        <source>Variable %1 appears twice.</source>
        <translation>Variable %1 kommt zweimal vor.</translation>
    </message>
    <message>
        <source>Variable %1, mode %2: %3 is not a finite number.</source>
        <translation>Variable %1, Modus %2: %3 ist keine endliche Zahl.</translation>
    </message>
    <message>
        <source>Variable %1, mode %2: the text %3 would read as a reference in DTCG.</source>
        <translation>Variable %1, Modus %2: der Text %3 würde in DTCG als Referenz gelesen.</translation>
    </message>
    <message>
        <source>unexpected text after the end of the JSON document</source>
        <translation>unerwarteter Text nach dem Ende des JSON-Dokuments</translation>
    </message>
    <message>
        <source>%1: line %2, column %3: %4</source>
        <translation>%1: Zeile %2, Spalte %3: %4</translation>
    </message>
    <message>
        <source>the JSON is nested too deeply</source>
        <translation>das JSON ist zu tief verschachtelt</translation>
    </message>
    <message>
        <source>unexpected end of the JSON document</source>
        <translation>unerwartetes Ende des JSON-Dokuments</translation>
    </message>
    <message>
        <source>invalid value</source>
        <translation>ungültiger Wert</translation>
    </message>
    <message>
        <source>expected a member name in quotes</source>
        <translation>Elementname in Anführungszeichen erwartet</translation>
    </message>
    <message>
        <source>the member &quot;%1&quot; appears twice</source>
        <translation>das Element „%1“ kommt zweimal vor</translation>
    </message>
    <message>
        <source>expected &quot;:&quot;</source>
        <translation>&quot;:&quot; erwartet</translation>
    </message>
    <message>
        <source>expected &quot;,&quot; or &quot;}&quot;</source>
        <translation>&quot;,&quot; oder &quot;}&quot; erwartet</translation>
    </message>
    <message>
        <source>expected &quot;,&quot; or &quot;]&quot;</source>
        <translation>&quot;,&quot; oder &quot;]&quot; erwartet</translation>
    </message>
    <message>
        <source>incomplete \u escape</source>
        <translation>unvollständige \u-Escape-Sequenz</translation>
    </message>
    <message>
        <source>invalid \u escape</source>
        <translation>ungültige \u-Escape-Sequenz</translation>
    </message>
    <message>
        <source>a control character inside a string must be escaped</source>
        <translation>ein Steuerzeichen in einer Zeichenkette muss maskiert werden</translation>
    </message>
    <message>
        <source>invalid escape &quot;\%1&quot;</source>
        <translation>ungültige Escape-Sequenz „\%1“</translation>
    </message>
    <message>
        <source>unterminated string</source>
        <translation>nicht abgeschlossene Zeichenkette</translation>
    </message>
    <message>
        <source>the number %1 is out of range</source>
        <translation>die Zahl %1 liegt außerhalb des gültigen Bereichs</translation>
    </message>
    <message>
        <source>expected a JSON object of tokens and groups</source>
        <translation>JSON-Objekt aus Tokens und Gruppen erwartet</translation>
    </message>
    <message>
        <source>expected a string</source>
        <translation>Zeichenkette erwartet</translation>
    </message>
    <message>
        <source>no mode is declared, but the file has tokens</source>
        <translation>es ist kein Modus deklariert, aber die Datei enthält Tokens</translation>
    </message>
    <message>
        <source>a mode appears twice</source>
        <translation>ein Modus kommt zweimal vor</translation>
    </message>
    <message>
        <source>%1: %2: %3</source>
        <translation>%1: %2: %3</translation>
    </message>
    <message>
        <source>expected an object</source>
        <translation>Objekt erwartet</translation>
    </message>
    <message>
        <source>expected an array of strings</source>
        <translation>Array von Zeichenketten erwartet</translation>
    </message>
    <message>
        <source>a token or group needs a name</source>
        <translation>ein Token oder eine Gruppe braucht einen Namen</translation>
    </message>
    <message>
        <source>names cannot contain &quot;/&quot;, &quot;.&quot;, &quot;{&quot; or &quot;}&quot;</source>
        <translation>Namen dürfen weder „/“, „.“, „{“ noch „}“ enthalten</translation>
    </message>
    <message>
        <source>expected a token or a group (a JSON object)</source>
        <translation>Token oder Gruppe (ein JSON-Objekt) erwartet</translation>
    </message>
    <message>
        <source>a token cannot contain tokens or groups</source>
        <translation>ein Token kann keine Tokens oder Gruppen enthalten</translation>
    </message>
    <message>
        <source>expected an object of values by mode</source>
        <translation>Objekt mit Werten je Modus erwartet</translation>
    </message>
    <message>
        <source>&quot;$value&quot; missing</source>
        <translation>„$value“ fehlt</translation>
    </message>
    <message>
        <source>unknown mode &quot;%1&quot; (the file declares %2)</source>
        <translation>unbekannter Modus „%1“ (die Datei deklariert %2)</translation>
    </message>
    <message>
        <source>the type &quot;%1&quot; is not supported (variables are colours, numbers, dimensions, booleans and strings)</source>
        <translation>der Typ „%1“ wird nicht unterstützt (Variablen sind Farben, Zahlen, Maße, Wahrheitswerte und Zeichenketten)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid reference (&quot;{group.token}&quot;)</source>
        <translation>„%1“ ist keine gültige Referenz („{group.token}“)</translation>
    </message>
    <message>
        <source>&quot;$type&quot; missing (neither the token nor a group around it declares one)</source>
        <translation>„$type“ fehlt (weder das Token noch eine umgebende Gruppe deklariert einen Typ)</translation>
    </message>
    <message>
        <source>expected {&quot;value&quot;: number, &quot;unit&quot;: string}</source>
        <translation>{&quot;value&quot;: number, &quot;unit&quot;: string} erwartet</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a number or a dimension such as &quot;12px&quot;</source>
        <translation>„%1“ ist weder eine Zahl noch ein Maß wie „12px“</translation>
    </message>
    <message>
        <source>expected a number or a dimension such as &quot;12px&quot;</source>
        <translation>Zahl oder Maß wie „12px“ erwartet</translation>
    </message>
    <message>
        <source>expected true or false</source>
        <translation>true oder false erwartet</translation>
    </message>
    <message>
        <source>expected a string or an array of strings</source>
        <translation>Zeichenkette oder Array von Zeichenketten erwartet</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a colour (&quot;#rrggbb&quot; or &quot;#rrggbbaa&quot;)</source>
        <translation>„%1“ ist keine Farbe („#rrggbb“ oder „#rrggbbaa“)</translation>
    </message>
    <message>
        <source>colour components must be numbers</source>
        <translation>Farbkomponenten müssen Zahlen sein</translation>
    </message>
    <message>
        <source>only sRGB colours or colours with a &quot;hex&quot; fallback are supported</source>
        <translation>nur sRGB-Farben oder Farben mit einem „hex“-Rückfallwert werden unterstützt</translation>
    </message>
    <message>
        <source>expected a colour such as &quot;#1e66f5&quot;</source>
        <translation>Farbe wie „#1e66f5“ erwartet</translation>
    </message>
    <message>
        <source>refers to %1, which is not defined in this file</source>
        <translation>verweist auf %1, das in dieser Datei nicht definiert ist</translation>
    </message>
</context>
<context>
    <name>DualModeManager</name>
    <message>
        <source>fell back to legacy after %1 mismatching runs in a row (last run: %2 variable(s) differed on %3 target(s))</source>
        <translation>Rückfall auf legacy nach %1 abweichenden Läufen in Folge (letzter Lauf: %2 Variable(n) auf %3 Ziel(en) abweichend)</translation>
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
    <name>EvidenceFormatter</name>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 (%2 % of legacy)</source>
        <translation>%1 (%2 % von legacy)</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>gesund</translation>
    </message>
    <message>
        <source>breached</source>
        <translation>überschritten</translation>
    </message>
    <message>
        <source>insufficient data</source>
        <translation>zu wenige Daten</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>Weitergeschaltet</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Gehalten</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>Fortgesetzt</translation>
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
        <source>Aborted</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Restored</source>
        <translation>Wiederhergestellt</translation>
    </message>
    <message>
        <source>Decided automatically by the %1.</source>
        <translation>Automatisch entschieden vom %1.</translation>
    </message>
    <message>
        <source>controller</source>
        <translation>Controller</translation>
    </message>
    <message>
        <source>Manual decision by %1 (from %2).</source>
        <translation>Manuelle Entscheidung von %1 (über %2).</translation>
    </message>
    <message>
        <source>No metric evidence was recorded with this decision.</source>
        <translation>Zu dieser Entscheidung wurden keine Metrik-Belege aufgezeichnet.</translation>
    </message>
    <message>
        <source>A manual step: no metric evidence, the operator decided.</source>
        <translation>Ein manueller Schritt: keine Metrik-Belege, die Entscheidung traf die bedienende Person.</translation>
    </message>
    <message>
        <source>Phase %1, held %2 of %3.</source>
        <translation>Phase %1, %2 von %3 gehalten.</translation>
    </message>
    <message>
        <source>Phase %1 (final).</source>
        <translation>Phase %1 (Endphase).</translation>
    </message>
    <message>
        <source>Tripped by guardrail &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>Ausgelöst durch Guardrail &lt;b&gt;%1&lt;/b&gt;.</translation>
    </message>
    <message>
        <source>Guardrail</source>
        <translation>Guardrail</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Schwellenwert</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Stichproben</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenster</translation>
    </message>
    <message>
        <source>In a row</source>
        <translation>In Folge</translation>
    </message>
    <message>
        <source>%1 (min %2)</source>
        <translation>%1 (min. %2)</translation>
    </message>
    <message>
        <source>%1 (legacy %2)</source>
        <translation>%1 (legacy %2)</translation>
    </message>
    <message>
        <source>%1 sync, %2 legacy (min %3)</source>
        <translation>%1 sync, %2 legacy (min. %3)</translation>
    </message>
    <message>
        <source>Raw evidence:</source>
        <translation>Rohe Belege:</translation>
    </message>
</context>
<context>
    <name>FigmaCredentials</name>
    <message>
        <source>The Figma token is empty; pass it on standard input.</source>
        <translation>Das Figma-Token ist leer; übergeben Sie es über die Standardeingabe.</translation>
    </message>
    <message>
        <source>The Figma token contains whitespace or control characters; pass exactly one token on standard input.</source>
        <translation>Das Figma-Token enthält Leer- oder Steuerzeichen; übergeben Sie genau ein Token über die Standardeingabe.</translation>
    </message>
</context>
<context>
    <name>FigmaFileState</name>
    <message>
        <source>Figma file %1: the variables answer is malformed: &quot;%2&quot; %3</source>
        <translation>Figma-Datei %1: die Antwort mit den Variablen ist fehlerhaft: „%2“ %3</translation>
    </message>
    <message>
        <source>must be an object</source>
        <translation>muss ein Objekt sein</translation>
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
        <source>must be the id of the aliased variable</source>
        <translation>muss die ID der referenzierten Variable sein</translation>
    </message>
    <message>
        <source>must be a colour {r, g, b, a} or an alias</source>
        <translation>muss eine Farbe {r, g, b, a} oder ein Alias sein</translation>
    </message>
    <message>
        <source>must be a number from 0 to 1</source>
        <translation>muss eine Zahl von 0 bis 1 sein</translation>
    </message>
    <message>
        <source>must be a number or an alias</source>
        <translation>muss eine Zahl oder ein Alias sein</translation>
    </message>
    <message>
        <source>must be true, false or an alias</source>
        <translation>muss true, false oder ein Alias sein</translation>
    </message>
    <message>
        <source>must be a string or an alias</source>
        <translation>muss eine Zeichenkette oder ein Alias sein</translation>
    </message>
    <message>
        <source>has an unknown type</source>
        <translation>hat einen unbekannten Typ</translation>
    </message>
    <message>
        <source>Figma file %1: the variables answer is not a JSON object (%2 at byte %3)</source>
        <translation>Figma-Datei %1: die Antwort mit den Variablen ist kein JSON-Objekt (%2 bei Byte %3)</translation>
    </message>
    <message>
        <source>must be an array</source>
        <translation>muss ein Array sein</translation>
    </message>
    <message>
        <source>is &quot;%1&quot;, expected BOOLEAN, FLOAT, STRING or COLOR</source>
        <translation>ist „%1“, erwartet wird BOOLEAN, FLOAT, STRING oder COLOR</translation>
    </message>
    <message>
        <source>Figma file %1: variable &quot;%2&quot; has no value for mode &quot;%3&quot; of collection &quot;%4&quot;</source>
        <translation>Figma-Datei %1: Variable „%2“ hat keinen Wert für Modus „%3“ der Sammlung „%4“</translation>
    </message>
    <message>
        <source>Figma file %1: variable &quot;%2&quot; (mode &quot;%3&quot;) aliases %4, which the file does not contain</source>
        <translation>Figma-Datei %1: Variable „%2“ (Modus „%3“) verweist als Alias auf %4, das die Datei nicht enthält</translation>
    </message>
</context>
<context>
    <name>FigmaPlanner</name>
    <message>
        <source>The Figma collection has no name.</source>
        <translation>Die Figma-Sammlung hat keinen Namen.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has no modes; Figma needs at least one.</source>
        <translation>Sammlung „%1“ hat keine Modi; Figma braucht mindestens einen.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has %2 modes; Figma allows at most %3 modes per collection. Nothing was sent.</source>
        <translation>Sammlung „%1“ hat %2 Modi; Figma erlaubt höchstens %3 Modi pro Sammlung. Es wurde nichts gesendet.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has a mode without a name.</source>
        <translation>Sammlung „%1“ hat einen Modus ohne Namen.</translation>
    </message>
    <message>
        <source>Mode &quot;%1&quot; of collection &quot;%2&quot; is longer than %3 characters, Figma&apos;s limit for mode names.</source>
        <translation>Modus „%1“ der Sammlung „%2“ ist länger als %3 Zeichen (die Höchstlänge von Figma für Modusnamen).</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has two modes called &quot;%2&quot;.</source>
        <translation>Sammlung „%1“ hat zwei Modi mit dem Namen „%2“.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has %2 variables; Figma allows at most %3 variables per collection. Nothing was sent.</source>
        <translation>Sammlung „%1“ hat %2 Variablen; Figma erlaubt höchstens %3 Variablen pro Sammlung. Es wurde nichts gesendet.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has a variable without a name (number %2).</source>
        <translation>Sammlung „%1“ hat eine Variable ohne Namen (Nummer %2).</translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot; of collection &quot;%2&quot;: Figma variable names must not contain &quot;%3&quot; (use &quot;/&quot; for groups).</source>
        <translation>Variable „%1“ der Sammlung „%2“: Figma-Variablennamen dürfen kein „%3“ enthalten (verwenden Sie „/“ für Gruppen).</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; has two variables called &quot;%2&quot;.</source>
        <translation>Sammlung „%1“ hat zwei Variablen mit dem Namen „%2“.</translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot; of collection &quot;%2&quot; has %3 values for %4 modes.</source>
        <translation>Variable „%1“ der Sammlung „%2“ hat %3 Werte für %4 Modi.</translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot; (mode &quot;%2&quot;) is %3 but its value %4 is not.</source>
        <translation>Variable „%1“ (Modus „%2“) ist vom Typ %3, ihr Wert %4 aber nicht.</translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot; (mode &quot;%2&quot;) aliases {%3}, which is not in collection &quot;%4&quot;.</source>
        <translation>Variable „%1“ (Modus „%2“) verweist als Alias auf {%3}, das nicht in Sammlung „%4“ liegt.</translation>
    </message>
    <message>
        <source>Variable &quot;%1&quot; (mode &quot;%2&quot;) is %3 but aliases {%4}, which is %5.</source>
        <translation>Variable „%1“ (Modus „%2“) ist vom Typ %3, verweist aber als Alias auf {%4} vom Typ %5.</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot;, mode &quot;%2&quot;: the aliases form a cycle: %3.</source>
        <translation>Sammlung „%1“, Modus „%2“: die Aliase bilden einen Zyklus: %3.</translation>
    </message>
    <message>
        <source>collection &quot;%1&quot;</source>
        <translation>Sammlung „%1“</translation>
    </message>
    <message>
        <source>mode &quot;%1&quot;</source>
        <translation>Modus „%1“</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; in Figma file %2 would have %3 modes; Figma allows at most %4. Nothing was sent.</source>
        <translation>Sammlung „%1“ in Figma-Datei %2 hätte %3 Modi; Figma erlaubt höchstens %4. Es wurde nichts gesendet.</translation>
    </message>
    <message>
        <source>variable &quot;%1&quot;</source>
        <translation>Variable „%1“</translation>
    </message>
    <message>
        <source>Collection &quot;%1&quot; in Figma file %2 would have %3 variables; Figma allows at most %4 per collection. Nothing was sent.</source>
        <translation>Sammlung „%1“ in Figma-Datei %2 hätte %3 Variablen; Figma erlaubt höchstens %4 pro Sammlung. Es wurde nichts gesendet.</translation>
    </message>
    <message>
        <source>the value of variable &quot;%1&quot; in mode &quot;%2&quot;</source>
        <translation>Wert der Variable „%1“ im Modus „%2“</translation>
    </message>
    <message>
        <source>Figma&apos;s answer to batch %1 did not include the id it gave to %2 (temporary id %3), which batch %4 needs for %5.</source>
        <translation>Die Antwort von Figma auf Paket %1 enthielt nicht die ID, die Figma für %2 (temporäre ID %3) vergeben hat und die Paket %4 braucht (für: %5).</translation>
    </message>
    <message>
        <source>a new variable</source>
        <translation>eine neue Variable</translation>
    </message>
    <message>
        <source>a new collection or mode</source>
        <translation>eine neue Sammlung oder einen neuen Modus</translation>
    </message>
    <message>
        <source>%1 alone is larger than the %2 bytes Figma accepts in one request.</source>
        <translation>%1 ist allein schon größer als die %2 Bytes, die Figma in einer Anfrage annimmt.</translation>
    </message>
</context>
<context>
    <name>FigmaTarget</name>
    <message>
        <source>Figma refused %1 for file %2: %3</source>
        <translation>Figma hat %1 für Datei %2 abgelehnt: %3</translation>
    </message>
    <message>
        <source>Figma denied %1 for file %2: the token has no edit access to the file, or the file is not on an Enterprise plan (the Variables API needs both)%3</source>
        <translation>Figma hat %1 für Datei %2 verweigert: das Token hat keine Bearbeitungsrechte für die Datei, oder die Datei gehört nicht zu einem Enterprise-Tarif (die Variables-API braucht beides)%3</translation>
    </message>
    <message>
        <source> — Figma said: %1</source>
        <translation> — Figma meldet: %1</translation>
    </message>
    <message>
        <source>Figma file %1 was not found (check the file key in the target settings)%2</source>
        <translation>Figma-Datei %1 wurde nicht gefunden (prüfen Sie den Dateischlüssel in den Einstellungen des Ziels)%2</translation>
    </message>
    <message>
        <source>%1 for Figma file %2 failed: %3</source>
        <translation>Figma-Datei %2: %1 ist fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>reading the variables</source>
        <translation>das Lesen der Variablen</translation>
    </message>
    <message>
        <source>The collection to write is &quot;%1&quot; but Figma target %2 is set up for &quot;%3&quot;.</source>
        <translation>Die zu schreibende Sammlung ist „%1“, aber das Figma-Ziel %2 ist für „%3“ eingerichtet.</translation>
    </message>
    <message>
        <source>the variables update</source>
        <translation>die Aktualisierung der Variablen</translation>
    </message>
    <message>
        <source>batch %1 of the variables update</source>
        <translation>Paket %1 der Aktualisierung der Variablen</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier batch(es) of this update were applied and stay in the file.</source>
        <translation>
            <numerusform>%n früheres Paket dieser Aktualisierung wurde übernommen und bleibt in der Datei.</numerusform>
            <numerusform>%n frühere Pakete dieser Aktualisierung wurden übernommen und bleiben in der Datei.</numerusform>
        </translation>
    </message>
    <message>
        <source>Figma file %1: the answer to %2 has no object &quot;meta.tempIdToRealId&quot;</source>
        <translation>Figma-Datei %1: die Antwort auf %2 enthält kein Objekt „meta.tempIdToRealId“</translation>
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
    <name>FlagHealthSummary</name>
    <message numerus="yes">
        <source>%1 (and %n more breached)</source>
        <translation>
            <numerusform>%1 (und %n weitere überschritten)</numerusform>
            <numerusform>%1 (und %n weitere überschritten)</numerusform>
        </translation>
    </message>
    <message>
        <source>Rolled back at %1.</source>
        <translation>Um %1 zurückgerollt.</translation>
    </message>
    <message>
        <source>Rolled back at %1: %2</source>
        <translation>Um %1 zurückgerollt: %2</translation>
    </message>
    <message>
        <source>Rollout running without enough data for %1: %2</source>
        <translation>Rollout läuft ohne genügend Daten für %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>All %n guardrail(s) healthy.</source>
        <translation>
            <numerusform>%n Guardrail gesund.</numerusform>
            <numerusform>Alle %n Guardrails gesund.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n guardrail(s) healthy; not enough runs yet for %1.</source>
        <translation>
            <numerusform>%n Guardrail gesund; noch nicht genug Läufe für %1.</numerusform>
            <numerusform>%n Guardrails gesund; noch nicht genug Läufe für %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>No guardrail applies to this flag.</source>
        <translation>Für dieses Flag gilt keine Guardrail.</translation>
    </message>
    <message>
        <source>Not enough runs yet to judge: %1</source>
        <translation>Noch nicht genug Läufe für eine Beurteilung: %1</translation>
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
    <name>GoogleSheetsSource</name>
    <message>
        <source>Google Sheets: no spreadsheet id is set</source>
        <translation>Google Sheets: es ist keine Tabellen-ID gesetzt</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1 has no sheets</source>
        <translation>Google Sheets: Tabelle %1 hat keine Tabellenblätter</translation>
    </message>
    <message>
        <source>Google Sheets: range &quot;%1&quot; of spreadsheet %2 names no sheet</source>
        <translation>Google Sheets: Bereich „%1“ der Tabelle %2 nennt kein Tabellenblatt</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1 answered %2 value ranges for the %3 requested (%4)</source>
        <translation>Google Sheets: Tabelle %1 lieferte %2 Wertebereiche für die %3 angeforderten (%4)</translation>
    </message>
    <message>
        <source> (Google: %1)</source>
        <translation> (Google: %1)</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1 not found; check its id or link%2</source>
        <translation>Google Sheets: Tabelle %1 nicht gefunden; prüfen Sie ihre ID oder ihren Link%2</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1 has no range %2; check the sheet name and the A1 range%3</source>
        <translation>Google Sheets: Tabelle %1 hat keinen Bereich %2; prüfen Sie den Namen des Tabellenblatts und den A1-Bereich%3</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1: the request was rejected (%2)%3</source>
        <translation>Google Sheets: Tabelle %1: die Anfrage wurde abgelehnt (%2)%3</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1, range %2: the request was rejected (%3)%4</source>
        <translation>Google Sheets: Tabelle %1, Bereich %2: die Anfrage wurde abgelehnt (%3)%4</translation>
    </message>
    <message>
        <source>Google Sheets: the Sheets API is not enabled for this app&apos;s Google Cloud project, so spreadsheet %1 cannot be read%2</source>
        <translation>Google Sheets: die Sheets-API ist für das Google-Cloud-Projekt dieser App nicht aktiviert, daher kann Tabelle %1 nicht gelesen werden%2</translation>
    </message>
    <message>
        <source>Google Sheets: the sign-in does not allow reading spreadsheet %1; sign in to Google again and grant access to Sheets%2</source>
        <translation>Google Sheets: die Anmeldung erlaubt nicht, Tabelle %1 zu lesen; melden Sie sich erneut bei Google an und gewähren Sie Zugriff auf Sheets%2</translation>
    </message>
    <message>
        <source>Google Sheets: no access to spreadsheet %1; share it with the signed-in Google account%2</source>
        <translation>Google Sheets: kein Zugriff auf Tabelle %1; geben Sie sie für das angemeldete Google-Konto frei%2</translation>
    </message>
    <message>
        <source>Google Sheets: Google did not accept the sign-in for spreadsheet %1 (401, even after refreshing it); sign in to Google again%2</source>
        <translation>Google Sheets: Google hat die Anmeldung für Tabelle %1 nicht akzeptiert (401, auch nach dem Aktualisieren); melden Sie sich erneut bei Google an%2</translation>
    </message>
    <message>
        <source>Google Sheets: cannot read spreadsheet %1: %2</source>
        <translation>Google Sheets: Tabelle %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1: %2%3</source>
        <translation>Google Sheets: Tabelle %1: %2%3</translation>
    </message>
    <message>
        <source>Google Sheets: spreadsheet %1, range %2: %3%4</source>
        <translation>Google Sheets: Tabelle %1, Bereich %2: %3%4</translation>
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
    <name>HealthQueryJob</name>
    <message>
        <source>legacy</source>
        <translation>legacy</translation>
    </message>
    <message>
        <source>sync</source>
        <translation>sync</translation>
    </message>
    <message>
        <source>shadow</source>
        <translation>shadow</translation>
    </message>
    <message>
        <source>%1 p50</source>
        <translation>%1 p50</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 %</source>
        <translation>%1: %2 %3 %4 %</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 % of legacy (%5 %)</source>
        <translation>%1: %2 %3 %4 % von legacy (%5 %)</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 % of legacy = %5 ms</source>
        <translation>%1: %2 %3 %4 % von legacy = %5 ms</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 ms</source>
        <translation>%1: %2 %3 %4 ms</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 in %5 min</source>
        <translation>%1: %2 %3 %4 in %5 min</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 per run</source>
        <translation>%1: %2 %3 %4 pro Lauf</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 % of legacy (%5 per run)</source>
        <translation>%1: %2 %3 %4 % von legacy (%5 pro Lauf)</translation>
    </message>
</context>
<context>
    <name>KeychainSecretStore</name>
    <message>
        <source>no answer within %1 s (is the keychain locked?)</source>
        <translation>keine Antwort innerhalb von %1 s (ist der Schlüsselbund gesperrt?)</translation>
    </message>
    <message>
        <source>Cannot read &quot;%1&quot; from the keychain (service &quot;%2&quot;): %3</source>
        <translation>„%1“ kann nicht aus dem Schlüsselbund gelesen werden (Dienst „%2“): %3</translation>
    </message>
    <message>
        <source>Cannot store &quot;%1&quot; in the keychain (service &quot;%2&quot;): no answer within %3 s (is the keychain locked?)</source>
        <translation>„%1“ kann nicht im Schlüsselbund gespeichert werden (Dienst „%2“): keine Antwort innerhalb von %3 s (ist der Schlüsselbund gesperrt?)</translation>
    </message>
    <message>
        <source>Cannot store &quot;%1&quot; in the keychain (service &quot;%2&quot;): %3</source>
        <translation>„%1“ kann nicht im Schlüsselbund gespeichert werden (Dienst „%2“): %3</translation>
    </message>
    <message>
        <source>Cannot remove &quot;%1&quot; from the keychain (service &quot;%2&quot;): no answer within %3 s (is the keychain locked?)</source>
        <translation>„%1“ kann nicht aus dem Schlüsselbund entfernt werden (Dienst „%2“): keine Antwort innerhalb von %3 s (ist der Schlüsselbund gesperrt?)</translation>
    </message>
    <message>
        <source>Cannot remove &quot;%1&quot; from the keychain (service &quot;%2&quot;): %3</source>
        <translation>„%1“ kann nicht aus dem Schlüsselbund entfernt werden (Dienst „%2“): %3</translation>
    </message>
</context>
<context>
    <name>MapCommands</name>
    <message>
        <source>--delimiter must be comma, tab, semicolon or a single ASCII character, not &quot;%1&quot;.</source>
        <translation>--delimiter muss comma, tab, semicolon oder ein einzelnes ASCII-Zeichen sein, nicht „%1“.</translation>
    </message>
    <message>
        <source>Map a CSV/TSV sheet export to a DTCG tokens file; on any problem list every cell at fault and write nothing.</source>
        <translation>Einen CSV/TSV-Export einer Tabelle in eine DTCG-Token-Datei umsetzen; bei Problemen jede fehlerhafte Zelle auflisten und nichts schreiben.</translation>
    </message>
    <message>
        <source>The sheet export: .csv (comma or TAB, detected) or .tsv.</source>
        <translation>Der Tabellenexport: .csv (Komma oder TAB, wird erkannt) oder .tsv.</translation>
    </message>
    <message>
        <source>Mapping file (JSON: headerRow, nameColumn, typeColumn, descriptionColumn, modeColumns, collection).</source>
        <translation>Zuordnungsdatei (JSON: headerRow, nameColumn, typeColumn, descriptionColumn, modeColumns, collection).</translation>
    </message>
    <message>
        <source>Collection name (default: the mapping&apos;s, else the file&apos;s base name).</source>
        <translation>Name der Sammlung (Vorgabe: der Name aus der Zuordnung, sonst der Basisname der Datei).</translation>
    </message>
    <message>
        <source>Field delimiter: comma, tab, semicolon or one character (default: detected).</source>
        <translation>Feldtrennzeichen: comma, tab, semicolon oder ein Zeichen (Vorgabe: wird erkannt).</translation>
    </message>
    <message>
        <source>Where to write the tokens (replaced atomically); - for standard output.</source>
        <translation>Wohin die Tokens geschrieben werden (atomar ersetzt); - für die Standardausgabe.</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>map needs --in FILE: the CSV or TSV export of the sheet.</source>
        <translation>map braucht --in DATEI: den CSV- oder TSV-Export der Tabelle.</translation>
    </message>
    <message>
        <source>map needs --out FILE (or --out - for standard output).</source>
        <translation>map braucht --out DATEI (oder --out - für die Standardausgabe).</translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) in %1; nothing was written.</source>
        <translation>
            <numerusform>%n Problem in %1; es wurde nichts geschrieben.</numerusform>
            <numerusform>%n Probleme in %1; es wurde nichts geschrieben.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mapped %n variable(s) in modes %1 to %2.</source>
        <translation>
            <numerusform>%n Variable in den Modi %1 zugeordnet und nach %2 geschrieben.</numerusform>
            <numerusform>%n Variablen in den Modi %1 zugeordnet und nach %2 geschrieben.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Mapping</name>
    <message>
        <source>no %1 column &quot;%2&quot; in header row %3 (the columns are: %4)</source>
        <translation>keine Spalte „%2“ für die %1 in Kopfzeile %3 (die Spalten sind: %4)</translation>
    </message>
    <message>
        <source>the header row must be 1 or more, not %1</source>
        <translation>die Nummer der Kopfzeile muss mindestens 1 sein, nicht %1</translation>
    </message>
    <message>
        <source>header row %1 is empty: it must name the columns (Name, Type, Light, Dark, …)</source>
        <translation>Kopfzeile %1 ist leer: sie muss die Spalten benennen (Name, Type, Light, Dark, …)</translation>
    </message>
    <message>
        <source>no name column &quot;%1&quot; in header row %2 (the columns are: %3)</source>
        <translation>keine Namensspalte „%1“ in Kopfzeile %2 (die Spalten sind: %3)</translation>
    </message>
    <message>
        <source>type</source>
        <translation>Typen</translation>
    </message>
    <message>
        <source>description</source>
        <translation>Beschreibungen</translation>
    </message>
    <message>
        <source>no mode column &quot;%1&quot; in header row %2 (the columns are: %3)</source>
        <translation>keine Modusspalte „%1“ in Kopfzeile %2 (die Spalten sind: %3)</translation>
    </message>
    <message>
        <source>column &quot;%1&quot; cannot be a mode: it holds the names, types or descriptions</source>
        <translation>Spalte „%1“ kann kein Modus sein: sie enthält die Namen, Typen oder Beschreibungen</translation>
    </message>
    <message>
        <source>mode column %1 has no name in the header row</source>
        <translation>Modusspalte %1 hat keinen Namen in der Kopfzeile</translation>
    </message>
    <message>
        <source>no mode columns: after the name column, add one column per mode (Light, Dark, …)</source>
        <translation>keine Modusspalten: fügen Sie nach der Namensspalte eine Spalte pro Modus hinzu (Light, Dark, …)</translation>
    </message>
    <message>
        <source>%1 mode columns; a collection has at most %2 modes</source>
        <translation>%1 Modusspalten; eine Sammlung hat höchstens %2 Modi</translation>
    </message>
    <message>
        <source>mode name &quot;%1&quot; is longer than %2 characters</source>
        <translation>Modusname „%1“ ist länger als %2 Zeichen</translation>
    </message>
    <message>
        <source>duplicate mode &quot;%1&quot; (first at %2)</source>
        <translation>doppelter Modus „%1“ (zuerst in %2)</translation>
    </message>
    <message>
        <source>this row has values but no name</source>
        <translation>diese Zeile hat Werte, aber keinen Namen</translation>
    </message>
    <message>
        <source>duplicate name &quot;%1&quot; (first at %2)</source>
        <translation>doppelter Name „%1“ (zuerst in %2)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a type (use COLOR, FLOAT, BOOLEAN or STRING)</source>
        <translation>„%1“ ist kein Typ (verwenden Sie COLOR, FLOAT, BOOLEAN oder STRING)</translation>
    </message>
    <message>
        <source>empty value for mode %1</source>
        <translation>leerer Wert für Modus %1</translation>
    </message>
    <message>
        <source> (the row&apos;s other values make it %1; fill in its Type to say otherwise)</source>
        <translation> (nach den übrigen Werten der Zeile ist sie vom Typ %1; tragen Sie in der Spalte Type einen anderen Typ ein, falls das nicht stimmt)</translation>
    </message>
    <message>
        <source>alias {%1} names no variable of this collection</source>
        <translation>Alias {%1} nennt keine Variable dieser Sammlung</translation>
    </message>
    <message>
        <source>alias {%1} is %2, but %3 is %4</source>
        <translation>Alias {%1} ist vom Typ %2, aber %3 ist vom Typ %4</translation>
    </message>
    <message>
        <source>alias cycle in mode %1: %2 (cells %3)</source>
        <translation>Alias-Zyklus in Modus %1: %2 (Zellen %3)</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; must be a string</source>
        <translation>%1: „%2“ muss eine Zeichenkette sein</translation>
    </message>
    <message>
        <source>%1: not valid JSON at byte %2: %3</source>
        <translation>%1: kein gültiges JSON bei Byte %2: %3</translation>
    </message>
    <message>
        <source>%1: a mapping must be a JSON object such as {&quot;nameColumn&quot;:&quot;Name&quot;,&quot;modeColumns&quot;:[&quot;Light&quot;,&quot;Dark&quot;]}</source>
        <translation>%1: eine Zuordnung muss ein JSON-Objekt sein, etwa {&quot;nameColumn&quot;:&quot;Name&quot;,&quot;modeColumns&quot;:[&quot;Light&quot;,&quot;Dark&quot;]}</translation>
    </message>
    <message>
        <source>%1: unknown field &quot;%2&quot; (known: %3)</source>
        <translation>%1: unbekanntes Feld „%2“ (bekannt: %3)</translation>
    </message>
    <message>
        <source>%1: &quot;headerRow&quot; must be a whole number of 1 or more</source>
        <translation>%1: „headerRow“ muss eine ganze Zahl ab 1 sein</translation>
    </message>
    <message>
        <source>%1: &quot;nameColumn&quot; must not be empty</source>
        <translation>%1: „nameColumn“ darf nicht leer sein</translation>
    </message>
    <message>
        <source>%1: &quot;modeColumns&quot; must be a list of column names</source>
        <translation>%1: „modeColumns“ muss eine Liste von Spaltennamen sein</translation>
    </message>
    <message>
        <source>%1: &quot;modeColumns&quot;[%2] must be a column name</source>
        <translation>%1: „modeColumns“[%2] muss ein Spaltenname sein</translation>
    </message>
    <message>
        <source>Cannot read mapping file %1: %2</source>
        <translation>Zuordnungsdatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>&quot;%1&quot; needs &quot;%2&quot; to be a group, but &quot;%2&quot; is a variable (%3)</source>
        <translation>„%1“ braucht „%2“ als Gruppe, aber „%2“ ist eine Variable (%3)</translation>
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
    <name>OAuthSettings</name>
    <message>
        <source>Google sign-in setting %1 is not a valid URL: &quot;%2&quot;.</source>
        <translation>Die Einstellung %1 der Google-Anmeldung ist keine gültige URL: „%2“.</translation>
    </message>
    <message>
        <source>Google sign-in setting %1 must be an https:// URL (http:// only on 127.0.0.1): &quot;%2&quot;.</source>
        <translation>Die Einstellung %1 der Google-Anmeldung muss eine https://-URL sein (http:// nur auf 127.0.0.1): „%2“.</translation>
    </message>
    <message>
        <source>Google sign-in setting google.client_id is not set: run `syncpilot-cli auth google configure --client-id ID`.</source>
        <translation>Die Einstellung google.client_id der Google-Anmeldung ist nicht gesetzt: führen Sie `syncpilot-cli auth google configure --client-id ID` aus.</translation>
    </message>
    <message>
        <source>Google sign-in setting google.scopes is empty.</source>
        <translation>Die Einstellung google.scopes der Google-Anmeldung ist leer.</translation>
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
    <name>RolloutText</name>
    <message>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Rolled back</source>
        <translation>Zurückgerollt</translation>
    </message>
    <message>
        <source>Aborted</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>final</source>
        <translation>Endphase</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation>%1 für %2</translation>
    </message>
    <message>
        <source>%1 of %2: %3</source>
        <translation>%1 von %2: %3</translation>
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
    <name>SyncCommands</name>
    <message>
        <source>Why (kept in the audit log).</source>
        <translation>Begründung (wird im Audit-Protokoll festgehalten).</translation>
    </message>
    <message>
        <source>--%1 takes a share like 0.3 or 30%, not &quot;%2&quot;.</source>
        <translation>--%1 erwartet einen Anteil wie 0.3 oder 30%, nicht „%2“.</translation>
    </message>
    <message>
        <source>--%1 takes a whole number, not &quot;%2&quot;.</source>
        <translation>--%1 erwartet eine ganze Zahl, nicht „%2“.</translation>
    </message>
    <message>
        <source>REHEARSAL: failures are injected on purpose into the sync path (%1).</source>
        <translation>PROBELAUF: in den Sync-Pfad werden absichtlich Fehler eingespeist (%1).</translation>
    </message>
    <message>
        <source>%1 — mode %2, flag %3, source %4</source>
        <translation>%1 — Modus %2, Flag %3, Quelle %4</translation>
    </message>
    <message>
        <source>  Sync path off: %1</source>
        <translation>  Sync-Pfad aus: %1</translation>
    </message>
    <message>
        <source>  Runs: %1, every %2 s; last %3 (%4).</source>
        <translation>  Läufe: %1, alle %2 s; letzter: %3 (%4).</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>none</source>
        <translation>kein Ergebnis</translation>
    </message>
    <message>
        <source>  Hybrid proof: %1 of %2 consistent runs in a row; %3 mismatching in a row.</source>
        <translation>  Hybrid-Nachweis: %1 von %2 konsistenten Läufen in Folge; %3 abweichende in Folge.</translation>
    </message>
    <message>
        <source>  Sync mode not yet allowed: %1.</source>
        <translation>  Sync-Modus noch nicht erlaubt: %1.</translation>
    </message>
    <message>
        <source>  Targets (%1):</source>
        <translation>  Ziele (%1):</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 (dry run, mode %2): %3 rows → %4 variables; nothing is written.</source>
        <translation>%1 (Trockenlauf, Modus %2): %3 Zeilen → %4 Variablen; es wird nichts geschrieben.</translation>
    </message>
    <message>
        <source>%1 (mode %2): %3 rows → %4 variables in %5 ms.</source>
        <translation>%1 (Modus %2): %3 Zeilen → %4 Variablen in %5 ms.</translation>
    </message>
    <message>
        <source>FAILED (%1): %2</source>
        <translation>FEHLGESCHLAGEN (%1): %2</translation>
    </message>
    <message>
        <source>no change</source>
        <translation>keine Änderung</translation>
    </message>
    <message>
        <source>%1 change(s)</source>
        <translation>%1 Änderung(en)</translation>
    </message>
    <message>
        <source>unchanged since the last sync</source>
        <translation>unverändert seit dem letzten Sync</translation>
    </message>
    <message>
        <source>+%1 ~%2 -%3</source>
        <translation>+%1 ~%2 -%3</translation>
    </message>
    <message>
        <source>; %1 mismatching variable(s): %2</source>
        <translation>; %1 abweichende Variable(n): %2</translation>
    </message>
    <message>
        <source>; %1 retries, %2 × 429</source>
        <translation>; %1 Wiederholungen, %2 × 429</translation>
    </message>
    <message>
        <source> [rehearsal]</source>
        <translation> [Probelauf]</translation>
    </message>
    <message>
        <source>Sync path switched off: %1.</source>
        <translation>Sync-Pfad abgeschaltet: %1.</translation>
    </message>
    <message>
        <source>%1 of %2 target(s) failed.</source>
        <translation>%1 von %2 Ziel(en) fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Add a sync config: a source, its mapping, the flag that gates the sync path, and targets.</source>
        <translation>Eine Sync-Konfiguration hinzufügen: eine Quelle, ihre Zuordnung, das Flag, das den Sync-Pfad freigibt, und Ziele.</translation>
    </message>
    <message>
        <source>Config name</source>
        <translation>Name der Konfiguration</translation>
    </message>
    <message>
        <source>Flag deciding per target whether it takes the sync path.</source>
        <translation>Flag, das je Ziel entscheidet, ob dieses den Sync-Pfad nimmt.</translation>
    </message>
    <message>
        <source>csv:PATH (CSV/TSV export) or sheets:SPREADSHEET_ID[!SHEET].</source>
        <translation>csv:PFAD (CSV/TSV-Export) oder sheets:TABELLEN-ID[!BLATT].</translation>
    </message>
    <message>
        <source>Mapping file (JSON): header row, name/type/description/mode columns.</source>
        <translation>Zuordnungsdatei (JSON): Kopfzeile, Spalten für Name/Typ/Beschreibung/Modi.</translation>
    </message>
    <message>
        <source>Collection name (default: the config name).</source>
        <translation>Name der Sammlung (Vorgabe: der Name der Konfiguration).</translation>
    </message>
    <message>
        <source>legacy (default) or hybrid; sync must be earned in hybrid.</source>
        <translation>legacy (Vorgabe) oder hybrid; sync ist erst nach Bewährung im Hybridmodus möglich.</translation>
    </message>
    <message>
        <source>ID=dtcg:PATH or ID=figma:FILE_KEY; repeat for more.</source>
        <translation>ID=dtcg:PFAD oder ID=figma:DATEISCHLÜSSEL; für weitere wiederholen.</translation>
    </message>
    <message>
        <source>Seconds between the agent&apos;s runs (default 60).</source>
        <translation>Sekunden zwischen den Läufen des Agenten (Vorgabe 60).</translation>
    </message>
    <message>
        <source>Consistent hybrid runs needed before sync mode (default 20).</source>
        <translation>Nötige konsistente Hybrid-Läufe vor dem Sync-Modus (Vorgabe 20).</translation>
    </message>
    <message>
        <source>a config name</source>
        <translation>Konfigurationsname</translation>
    </message>
    <message>
        <source>sync config add needs --flag KEY and --source csv:PATH|sheets:ID.</source>
        <translation>sync config add braucht --flag SCHLÜSSEL und --source csv:PFAD|sheets:ID.</translation>
    </message>
    <message>
        <source>Cannot read the mapping file %1: %2</source>
        <translation>Die Zuordnungsdatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: not a JSON object (%2).</source>
        <translation>%1: kein JSON-Objekt (%2).</translation>
    </message>
    <message>
        <source>--mode takes legacy, hybrid or sync, not &quot;%1&quot;.</source>
        <translation>--mode erwartet legacy, hybrid oder sync, nicht „%1“.</translation>
    </message>
    <message>
        <source>Sync config %1 added (mode %2, %3 target(s)).</source>
        <translation>Sync-Konfiguration %1 hinzugefügt (Modus %2, %3 Ziel(e)).</translation>
    </message>
    <message>
        <source>List sync configs with mode, flag and last run.</source>
        <translation>Sync-Konfigurationen mit Modus, Flag und letztem Lauf auflisten.</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>Unerwartetes Argument „%1“.</translation>
    </message>
    <message>
        <source>No sync configs (add one with `syncpilot-cli sync config add`).</source>
        <translation>Keine Sync-Konfigurationen (eine hinzufügen mit `syncpilot-cli sync config add`).</translation>
    </message>
    <message>
        <source>%1 target(s)</source>
        <translation>%1 Ziel(e)</translation>
    </message>
    <message>
        <source>never run</source>
        <translation>nie gelaufen</translation>
    </message>
    <message>
        <source>last run %1 %2</source>
        <translation>letzter Lauf %1 %2</translation>
    </message>
    <message>
        <source>  [rehearsal]</source>
        <translation>  [Probelauf]</translation>
    </message>
    <message>
        <source>Show a sync config: source, mode, hybrid proof, rehearsal, every target&apos;s state.</source>
        <translation>Eine Sync-Konfiguration anzeigen: Quelle, Modus, Hybrid-Nachweis, Probelauf, Zustand jedes Ziels.</translation>
    </message>
    <message>
        <source>Change a sync config: its mode (sync only after enough consistent hybrid runs), rehearsal, schedule.</source>
        <translation>Eine Sync-Konfiguration ändern: ihren Modus (sync erst nach genügend konsistenten Hybrid-Läufen), Probelauf, Zeitplan.</translation>
    </message>
    <message>
        <source>legacy, hybrid or sync.</source>
        <translation>legacy, hybrid oder sync.</translation>
    </message>
    <message>
        <source>Rehearsal: share of sync-path runs that fail (0.3 or 30%).</source>
        <translation>Probelauf: Anteil der Läufe auf dem Sync-Pfad, die fehlschlagen (0.3 oder 30%).</translation>
    </message>
    <message>
        <source>Rehearsal: latency added to sync-path runs.</source>
        <translation>Probelauf: zusätzliche Latenz für Läufe auf dem Sync-Pfad.</translation>
    </message>
    <message>
        <source>Rehearsal: share of sync-path runs that meet a 429.</source>
        <translation>Probelauf: Anteil der Läufe auf dem Sync-Pfad, die ein 429 erhalten.</translation>
    </message>
    <message>
        <source>Rehearsal: comma-separated target ids (default: all).</source>
        <translation>Probelauf: durch Kommas getrennte Ziel-IDs (Vorgabe: alle).</translation>
    </message>
    <message>
        <source>End the rehearsal.</source>
        <translation>Den Probelauf beenden.</translation>
    </message>
    <message>
        <source>Seconds between the agent&apos;s runs.</source>
        <translation>Sekunden zwischen den Läufen des Agenten.</translation>
    </message>
    <message>
        <source>Consistent hybrid runs needed before sync mode.</source>
        <translation>Nötige konsistente Hybrid-Läufe vor dem Sync-Modus.</translation>
    </message>
    <message>
        <source>--rehearsal-off cannot be combined with other rehearsal options.</source>
        <translation>--rehearsal-off kann nicht mit anderen Probelauf-Optionen kombiniert werden.</translation>
    </message>
    <message>
        <source>--rehearsal-latency-ms must be from 0 to 60000.</source>
        <translation>--rehearsal-latency-ms muss zwischen 0 und 60000 liegen.</translation>
    </message>
    <message>
        <source>Nothing to change: give --mode, a rehearsal option, --interval or --consistent-runs.</source>
        <translation>Nichts zu ändern: --mode, eine Probelauf-Option, --interval oder --consistent-runs angeben.</translation>
    </message>
    <message>
        <source>Remove a sync config (its targets&apos; files stay as they are).</source>
        <translation>Eine Sync-Konfiguration entfernen (die Dateien ihrer Ziele bleiben unverändert).</translation>
    </message>
    <message>
        <source>Sync config %1 removed.</source>
        <translation>Sync-Konfiguration %1 entfernt.</translation>
    </message>
    <message>
        <source>Add a target to a sync config.</source>
        <translation>Einer Sync-Konfiguration ein Ziel hinzufügen.</translation>
    </message>
    <message>
        <source>ID=dtcg:PATH or ID=figma:FILE_KEY</source>
        <translation>ID=dtcg:PFAD oder ID=figma:DATEISCHLÜSSEL</translation>
    </message>
    <message>
        <source>sync target add takes CONFIG and ID=dtcg:PATH|ID=figma:FILE_KEY.</source>
        <translation>sync target add erwartet CONFIG und ID=dtcg:PFAD|ID=figma:DATEISCHLÜSSEL.</translation>
    </message>
    <message>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Target %1 added.</source>
        <translation>Ziel %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Remove a target from a sync config (its file or Figma collection stays as it is).</source>
        <translation>Ein Ziel aus einer Sync-Konfiguration entfernen (seine Datei oder Figma-Sammlung bleibt unverändert).</translation>
    </message>
    <message>
        <source>Target id</source>
        <translation>Ziel-ID</translation>
    </message>
    <message>
        <source>sync target remove takes CONFIG and ID.</source>
        <translation>sync target remove erwartet CONFIG und ID.</translation>
    </message>
    <message>
        <source>Target %1 removed.</source>
        <translation>Ziel %1 entfernt.</translation>
    </message>
    <message>
        <source>Run a sync config now: read, map, write every target on its path; --dry-run prints the diff and writes nothing.</source>
        <translation>Eine Sync-Konfiguration jetzt ausführen: lesen, zuordnen, jedes Ziel auf seinem Pfad schreiben; --dry-run gibt die Unterschiede aus und schreibt nichts.</translation>
    </message>
    <message>
        <source>Show what each target would get; change nothing.</source>
        <translation>Anzeigen, was jedes Ziel erhalten würde; nichts ändern.</translation>
    </message>
    <message>
        <source>Put back what a target held before SyncPilot&apos;s last write to it (undo again to redo).</source>
        <translation>Den Inhalt wiederherstellen, den ein Ziel vor dem letzten Schreibvorgang von SyncPilot hatte (erneutes Rückgängigmachen stellt die Änderung wieder her).</translation>
    </message>
    <message>
        <source>sync undo takes CONFIG and TARGET.</source>
        <translation>sync undo erwartet CONFIG und TARGET.</translation>
    </message>
    <message>
        <source>Target %1 of %2 restored to its content before the last write.</source>
        <translation>Ziel %1 von %2 auf seinen Inhalt vor dem letzten Schreibvorgang zurückgesetzt.</translation>
    </message>
</context>
<context>
    <name>SyncConfigStore</name>
    <message>
        <source>%1: field &quot;%2&quot; must be a number from 0 to 1.</source>
        <translation>%1: Feld „%2“ muss eine Zahl von 0 bis 1 sein.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; names no file (csv:PATH).</source>
        <translation>%1: „%2“ nennt keine Datei (csv:PFAD).</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a spreadsheet id (the part of the sheet&apos;s URL after /d/).</source>
        <translation>%1: „%2“ ist keine Tabellen-ID (der Teil der Tabellen-URL nach /d/).</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a source; use csv:PATH or sheets:SPREADSHEET_ID[!SHEET].</source>
        <translation>%1: „%2“ ist keine Quelle; verwenden Sie csv:PFAD oder sheets:TABELLEN-ID[!BLATT].</translation>
    </message>
    <message>
        <source>%1: source kind &quot;%2&quot; is neither csv nor sheets.</source>
        <translation>%1: Quellenart „%2“ ist weder csv noch sheets.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a target; use ID=dtcg:PATH or ID=figma:FILE_KEY.</source>
        <translation>%1: „%2“ ist kein Ziel; verwenden Sie ID=dtcg:PFAD oder ID=figma:DATEISCHLÜSSEL.</translation>
    </message>
    <message>
        <source>%1: target id</source>
        <translation>%1: Ziel-ID</translation>
    </message>
    <message>
        <source>%1: target &quot;%2&quot; names no file.</source>
        <translation>%1: Ziel „%2“ nennt keine Datei.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a Figma file key (the part of the file&apos;s URL after /file/ or /design/).</source>
        <translation>%1: „%2“ ist kein Figma-Dateischlüssel (der Teil der Datei-URL nach /file/ oder /design/).</translation>
    </message>
    <message>
        <source>%1: target kind &quot;%2&quot; is neither dtcg nor figma.</source>
        <translation>%1: Zielart „%2“ ist weder dtcg noch figma.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>errors %1 %</source>
        <translation>Fehler %1 %</translation>
    </message>
    <message>
        <source>+%1 ms</source>
        <translation>+%1 ms</translation>
    </message>
    <message>
        <source>429s %1 %</source>
        <translation>429er %1 %</translation>
    </message>
    <message>
        <source>no failures</source>
        <translation>keine Fehler</translation>
    </message>
    <message>
        <source>every sync-path target</source>
        <translation>jedes Ziel auf dem Sync-Pfad</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 für %2</translation>
    </message>
    <message>
        <source>%1: field &quot;latencyMs&quot; must be from 0 to 60000.</source>
        <translation>%1: Feld „latencyMs“ muss zwischen 0 und 60000 liegen.</translation>
    </message>
    <message>
        <source>%1 &quot;%2&quot; must start with a letter or digit and use only letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos; (at most 64).</source>
        <translation>%1 „%2“ muss mit einem Buchstaben oder einer Ziffer beginnen und darf nur Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos; enthalten (höchstens 64).</translation>
    </message>
    <message>
        <source>sync config %1</source>
        <translation>Sync-Konfiguration %1</translation>
    </message>
    <message>
        <source>There is no sync config &quot;%1&quot; (see `syncpilot-cli sync config list`).</source>
        <translation>Es gibt keine Sync-Konfiguration „%1“ (siehe `syncpilot-cli sync config list`).</translation>
    </message>
    <message>
        <source>Target id &quot;%1&quot; is given twice.</source>
        <translation>Ziel-ID „%1“ ist doppelt angegeben.</translation>
    </message>
    <message>
        <source>Sync config name</source>
        <translation>Name der Sync-Konfiguration</translation>
    </message>
    <message>
        <source>The number of consistent hybrid runs must be from 1 to 10000.</source>
        <translation>Die Anzahl konsistenter Hybrid-Läufe muss zwischen 1 und 10000 liegen.</translation>
    </message>
    <message>
        <source>The run interval must be from 5 to 86400 seconds.</source>
        <translation>Das Laufintervall muss zwischen 5 und 86400 Sekunden liegen.</translation>
    </message>
    <message>
        <source>The sync config &quot;%1&quot; has no source file.</source>
        <translation>Die Sync-Konfiguration „%1“ hat keine Quelldatei.</translation>
    </message>
    <message>
        <source>A new config cannot start in sync mode: start in hybrid, which proves the sync path first.</source>
        <translation>Eine neue Konfiguration kann nicht im Sync-Modus starten: starten Sie im Hybridmodus, der den Sync-Pfad zuerst erprobt.</translation>
    </message>
    <message>
        <source>There is no flag &quot;%1&quot; to gate the sync config &quot;%2&quot;.</source>
        <translation>Es gibt kein Flag „%1“, das die Sync-Konfiguration „%2“ freigeben könnte.</translation>
    </message>
    <message>
        <source>A sync config called &quot;%1&quot; exists already.</source>
        <translation>Eine Sync-Konfiguration namens „%1“ existiert bereits.</translation>
    </message>
    <message>
        <source>switch &quot;%1&quot; to hybrid first: sync mode needs %2 consistent hybrid runs in a row</source>
        <translation>schalten Sie „%1“ zuerst in den Hybridmodus: der Sync-Modus braucht %2 konsistente Hybrid-Läufe in Folge</translation>
    </message>
    <message>
        <source>only %1 of the last %2 hybrid runs of &quot;%3&quot; in a row were consistent; sync mode needs %2</source>
        <translation>nur %1 der letzten %2 Hybrid-Läufe von „%3“ waren in Folge konsistent; der Sync-Modus braucht %2</translation>
    </message>
    <message>
        <source>The sync config &quot;%1&quot; was changed by someone else meanwhile; nothing was changed.</source>
        <translation>Die Sync-Konfiguration „%1“ wurde inzwischen von jemand anderem geändert; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Sync mode refused: %1.</source>
        <translation>Sync-Modus abgelehnt: %1.</translation>
    </message>
    <message>
        <source>The sync config &quot;%1&quot; has no target &quot;%2&quot;.</source>
        <translation>Die Sync-Konfiguration „%1“ hat kein Ziel „%2“.</translation>
    </message>
    <message>
        <source>The sync config &quot;%1&quot; has a target &quot;%2&quot; already.</source>
        <translation>Die Sync-Konfiguration „%1“ hat bereits ein Ziel „%2“.</translation>
    </message>
</context>
<context>
    <name>SyncEngine</name>
    <message>
        <source>the kept Figma content</source>
        <translation>der aufbewahrte Figma-Inhalt</translation>
    </message>
    <message>
        <source>No Figma token is stored: run `syncpilot-cli auth figma set-token` (it goes to the keychain).</source>
        <translation>Es ist kein Figma-Token gespeichert: führen Sie `syncpilot-cli auth figma set-token` aus (es kommt in den Schlüsselbund).</translation>
    </message>
    <message>
        <source>The source of &quot;%1&quot; is a Google spreadsheet and nobody is signed in to Google here: run `syncpilot-cli auth google sign-in`.</source>
        <translation>Die Quelle von „%1“ ist eine Google-Tabelle, aber hier ist niemand bei Google angemeldet: führen Sie `syncpilot-cli auth google sign-in` aus.</translation>
    </message>
    <message>
        <source>The spreadsheet %1 returned no sheet.</source>
        <translation>Die Tabelle %1 hat kein Tabellenblatt geliefert.</translation>
    </message>
    <message>
        <source>the mapping of sync config %1</source>
        <translation>die Zuordnung der Sync-Konfiguration %1</translation>
    </message>
    <message>
        <source>The mapping found %1 problem(s); nothing was written.</source>
        <translation>Die Zuordnung hat %1 Problem(e) gefunden; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>the synced state of %1</source>
        <translation>der synchronisierte Stand von %1</translation>
    </message>
    <message>
        <source>rehearsal: injected upstream failure (HTTP 500) on the sync path of %1</source>
        <translation>Probelauf: eingespeister Fehler der Gegenstelle (HTTP 500) auf dem Sync-Pfad von %1</translation>
    </message>
    <message>
        <source>REHEARSAL (%1)%2</source>
        <translation>PROBELAUF (%1)%2</translation>
    </message>
    <message>
        <source>The sync config &quot;%1&quot; has no target &quot;%2&quot;.</source>
        <translation>Die Sync-Konfiguration „%1“ hat kein Ziel „%2“.</translation>
    </message>
    <message>
        <source>There is nothing to undo for target &quot;%1&quot; of &quot;%2&quot;: SyncPilot has not written it yet.</source>
        <translation>Für Ziel „%1“ von „%2“ gibt es nichts rückgängig zu machen: SyncPilot hat es noch nicht geschrieben.</translation>
    </message>
</context>
<context>
    <name>TimeText</name>
    <message>
        <source>hold time over</source>
        <translation>Haltezeit abgelaufen</translation>
    </message>
    <message>
        <source>%1 s left</source>
        <translation>noch %1 s</translation>
    </message>
    <message>
        <source>%1 d %2 h left</source>
        <translation>noch %1 d %2 h</translation>
    </message>
    <message>
        <source>%1 h %2 min left</source>
        <translation>noch %1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min left</source>
        <translation>noch %1 min</translation>
    </message>
</context>
<context>
    <name>ValueParser</name>
    <message>
        <source>&quot;%1&quot; is not a colour</source>
        <translation>„%1“ ist keine Farbe</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a colour: %2</source>
        <translation>„%1“ ist keine Farbe: %2</translation>
    </message>
    <message>
        <source>write %1(…) with the values in parentheses</source>
        <translation>schreiben Sie %1(…) mit den Werten in Klammern</translation>
    </message>
    <message>
        <source>expected 3 values and an optional alpha, found %1</source>
        <translation>3 Werte und ein optionaler Alphawert erwartet, %1 gefunden</translation>
    </message>
    <message>
        <source>alpha &quot;%1&quot; is not a number</source>
        <translation>Alphawert „%1“ ist keine Zahl</translation>
    </message>
    <message>
        <source>alpha %1 is outside 0–1 (or 0%–100%)</source>
        <translation>Alphawert %1 liegt außerhalb von 0–1 (bzw. 0%–100%)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a number</source>
        <translation>„%1“ ist keine Zahl</translation>
    </message>
    <message>
        <source>%1 is outside 0–255 (or 0%–100%)</source>
        <translation>%1 liegt außerhalb von 0–255 (bzw. 0%–100%)</translation>
    </message>
    <message>
        <source>hue &quot;%1&quot; is not an angle in degrees</source>
        <translation>Farbton „%1“ ist kein Winkel in Grad</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a percentage</source>
        <translation>„%1“ ist kein Prozentwert</translation>
    </message>
    <message>
        <source>%1 is outside 0%–100%</source>
        <translation>%1 liegt außerhalb von 0%–100%</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a number: out of range</source>
        <translation>„%1“ ist keine Zahl: außerhalb des gültigen Bereichs</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a number: unknown unit &quot;%2&quot; (use px, rem, em, %, pt, ms, s, deg, …)</source>
        <translation>„%1“ ist keine Zahl: unbekannte Einheit „%2“ (verwenden Sie px, rem, em, %, pt, ms, s, deg, …)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a boolean (use true or false)</source>
        <translation>„%1“ ist kein Wahrheitswert (verwenden Sie true oder false)</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an alias (write {group/name})</source>
        <translation>„%1“ ist kein Alias (schreiben Sie {group/name})</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid alias: %2</source>
        <translation>„%1“ ist kein gültiger Alias: %2</translation>
    </message>
    <message>
        <source>the name is empty</source>
        <translation>der Name ist leer</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; has an empty group (&quot;//&quot;, or &quot;/&quot; at the start or end)</source>
        <translation>Name „%1“ enthält eine leere Gruppe („//“ oder „/“ am Anfang oder Ende)</translation>
    </message>
    <message>
        <source>name &quot;%1&quot;: a group must not start with &quot;$&quot;</source>
        <translation>Name „%1“: eine Gruppe darf nicht mit „$“ beginnen</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; contains &quot;.&quot;; use &quot;/&quot; to make groups</source>
        <translation>Name „%1“ enthält „.“; verwenden Sie „/“, um Gruppen zu bilden</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; must not contain &quot;%2&quot;</source>
        <translation>Name „%1“ darf kein „%2“ enthalten</translation>
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
    <message>
        <source>Cannot create the directory %1.</source>
        <translation>Das Verzeichnis %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Save a picture of every view (overview.png, flags.png, …) in DIR and exit.</source>
        <translation>Ein Bild jeder Ansicht (overview.png, flags.png, …) in DIR speichern und beenden.</translation>
    </message>
    <message>
        <source>DIR</source>
        <translation>DIR</translation>
    </message>
    <message>
        <source>Colours: system (default), light or dark.</source>
        <translation>Farben: system (Standard), light oder dark.</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>Print the time to the first window and the memory used, then exit.</source>
        <translation>Die Zeit bis zum ersten Fenster und den Speicherverbrauch ausgeben, dann beenden.</translation>
    </message>
    <message>
        <source>Unknown palette &quot;%1&quot;; use system, light or dark.</source>
        <translation>Unbekannte Palette „%1“; verwenden Sie system, light oder dark.</translation>
    </message>
    <message>
        <source>--screenshot needs a directory.</source>
        <translation>--screenshot braucht ein Verzeichnis.</translation>
    </message>
</context>
<context>
    <name>sp::AgentLoop</name>
    <message>
        <source>Cannot check the controller lock: %1</source>
        <translation>Die Controller-Sperre kann nicht geprüft werden: %1</translation>
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
        <source>Sync run failed: %1</source>
        <translation>Sync-Lauf fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Retention failed: %1</source>
        <translation>Aufbewahrung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Cannot write the controller heartbeat: %1</source>
        <translation>Das Lebenszeichen des Controllers kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>Cannot publish the circuit breaker states: %1</source>
        <translation>Die Circuit-Breaker-Zustände können nicht veröffentlicht werden: %1</translation>
    </message>
</context>
<context>
    <name>sp::AuditTableModel</name>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 UTC</source>
        <translation>%1 UTC</translation>
    </message>
    <message>
        <source>OS user %1, no account signed in</source>
        <translation>OS-Benutzer %1, kein Konto angemeldet</translation>
    </message>
    <message>
        <source>OS user %1, signed in as %2</source>
        <translation>OS-Benutzer %1, angemeldet als %2</translation>
    </message>
    <message>
        <source>Entry number in the chain; the newest entry is at the top</source>
        <translation>Nummer des Eintrags in der Kette; der neueste Eintrag steht oben</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
</context>
<context>
    <name>sp::AuditView</name>
    <message>
        <source>Audit log</source>
        <translation>Audit-Protokoll</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>Eigener Zeitraum</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Search reasons</source>
        <translation>Gründe durchsuchen</translation>
    </message>
    <message>
        <source>Search the reasons…</source>
        <translation>Gründe durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Von:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Bis:</translation>
    </message>
    <message>
        <source>A&amp;ctor:</source>
        <translation>A&amp;kteur:</translation>
    </message>
    <message>
        <source>OS user, e.g. alice</source>
        <translation>OS-Benutzer, z. B. alice</translation>
    </message>
    <message>
        <source>O&amp;bject:</source>
        <translation>Ob&amp;jekt:</translation>
    </message>
    <message>
        <source>e.g. flag:checkout or flag:*</source>
        <translation>z. B. flag:checkout oder flag:*</translation>
    </message>
    <message>
        <source>Actio&amp;n:</source>
        <translation>Ak&amp;tion:</translation>
    </message>
    <message>
        <source>e.g. flag.update or killswitch.*</source>
        <translation>z. B. flag.update oder killswitch.*</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Filter zurücksetzen</translation>
    </message>
    <message>
        <source>Filter problem</source>
        <translation>Problem mit dem Filter</translation>
    </message>
    <message>
        <source>Chain verification</source>
        <translation>Prüfung der Kette</translation>
    </message>
    <message>
        <source>&amp;Verify now</source>
        <translation>Jetzt &amp;prüfen</translation>
    </message>
    <message>
        <source>Check the whole hash chain again</source>
        <translation>Die gesamte Hash-Kette erneut prüfen</translation>
    </message>
    <message>
        <source>Number of entries</source>
        <translation>Anzahl der Einträge</translation>
    </message>
    <message>
        <source>CSV (RFC 4180)…</source>
        <translation>CSV (RFC 4180)…</translation>
    </message>
    <message>
        <source>JSON Lines…</source>
        <translation>JSON Lines…</translation>
    </message>
    <message>
        <source>PDF report (summary, chart, table)…</source>
        <translation>PDF-Bericht (Zusammenfassung, Diagramm, Tabelle)…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Export the entries of the current filter (Ctrl+E)</source>
        <translation>Die Einträge des aktuellen Filters exportieren (Ctrl+E)</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Export result</source>
        <translation>Exportergebnis</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>Audit-Einträge</translation>
    </message>
    <message>
        <source>Entry details</source>
        <translation>Eintragsdetails</translation>
    </message>
    <message>
        <source>To: the end of the period (%1) must be later than From (%2).</source>
        <translation>Bis: Das Ende des Zeitraums (%1) muss nach „Von“ (%2) liegen.</translation>
    </message>
    <message>
        <source>Object: &quot;%1&quot; may only end with * (a prefix such as flag:*).</source>
        <translation>Objekt: „%1“ darf nur auf * enden (ein Präfix wie flag:*).</translation>
    </message>
    <message>
        <source>Action: &quot;%1&quot; may only end with * (a prefix such as rollout.*).</source>
        <translation>Aktion: „%1“ darf nur auf * enden (ein Präfix wie rollout.*).</translation>
    </message>
    <message>
        <source>Actor: &quot;%1&quot; must be an exact OS user name (no *).</source>
        <translation>Akteur: „%1“ muss ein exakter OS-Benutzername sein (kein *).</translation>
    </message>
    <message>
        <source>Entries unavailable</source>
        <translation>Einträge nicht verfügbar</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Wird gezählt…</translation>
    </message>
    <message>
        <source>1 entry</source>
        <translation>1 Eintrag</translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries</source>
        <translation>
            <numerusform>%Ln Eintrag</numerusform>
            <numerusform>%Ln Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>The audit log could not be read: %1</source>
        <translation>Das Audit-Protokoll konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Loading the audit log…</source>
        <translation>Audit-Protokoll wird geladen…</translation>
    </message>
    <message>
        <source>No audit entries match these filters. Widen the period or clear the filters.</source>
        <translation>Keine Audit-Einträge passen zu diesen Filtern. Erweitern Sie den Zeitraum oder setzen Sie die Filter zurück.</translation>
    </message>
    <message>
        <source>The audit log is empty. Every change to flags, rollouts and sync configurations will be listed here, with who made it, when and why.</source>
        <translation>Das Audit-Protokoll ist leer. Jede Änderung an Flags, Rollouts und Sync-Konfigurationen wird hier aufgeführt – mit Angabe, wer sie wann und warum vorgenommen hat.</translation>
    </message>
    <message>
        <source>Select an entry to see what changed: the before and after states with the changed keys highlighted, the reason and the hashes that chain it.</source>
        <translation>Wählen Sie einen Eintrag, um zu sehen, was sich geändert hat: den Zustand vorher und nachher mit hervorgehobenen geänderten Schlüsseln, den Grund und die Hashes, die ihn verketten.</translation>
    </message>
    <message>
        <source>Loading entry #%1…</source>
        <translation>Eintrag #%1 wird geladen…</translation>
    </message>
    <message>
        <source>Entry #%1 is no longer in the audit log.</source>
        <translation>Eintrag #%1 ist nicht mehr im Audit-Protokoll.</translation>
    </message>
    <message>
        <source>Entry #%1 could not be read: %2</source>
        <translation>Eintrag #%1 konnte nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Verifying the hash chain…</source>
        <translation>Hash-Kette wird geprüft…</translation>
    </message>
    <message>
        <source>Chain intact: 1 entry, head %1</source>
        <translation>Kette intakt: 1 Eintrag, Kopf %1</translation>
    </message>
    <message numerus="yes">
        <source>Chain intact: %Ln entries, head %1</source>
        <translation>
            <numerusform>Kette intakt: %Ln Eintrag, Kopf %1</numerusform>
            <numerusform>Kette intakt: %Ln Einträge, Kopf %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Every entry links to the one before it and its hash matches. Chain head: %1</source>
        <translation>Jeder Eintrag verweist auf den vorherigen, und sein Hash stimmt. Kopf der Kette: %1</translation>
    </message>
    <message>
        <source>Chain broken at entry #%1: %2</source>
        <translation>Kette beschädigt bei Eintrag #%1: %2</translation>
    </message>
    <message>
        <source>The audit log was edited or entries were deleted outside SyncPilot. Exports are refused until this is resolved.</source>
        <translation>Das Audit-Protokoll wurde außerhalb von SyncPilot bearbeitet oder es wurden Einträge gelöscht. Exporte werden verweigert, bis dies behoben ist.</translation>
    </message>
    <message>
        <source>The chain could not be verified: %1</source>
        <translation>Die Kette konnte nicht geprüft werden: %1</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>JSON Lines files (*.jsonl)</source>
        <translation>JSON-Lines-Dateien (*.jsonl)</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF-Dokumente (*.pdf)</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>Audit-Protokoll exportieren</translation>
    </message>
    <message>
        <source>Export: correct the filter first (%1)</source>
        <translation>Export: Korrigieren Sie zuerst den Filter (%1)</translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>Wird nach %1 exportiert…</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Exported 1 entry to %1</source>
        <translation>1 Eintrag nach %1 exportiert</translation>
    </message>
    <message numerus="yes">
        <source>Exported %Ln entries to %1</source>
        <translation>
            <numerusform>%Ln Eintrag nach %1 exportiert</numerusform>
            <numerusform>%Ln Einträge nach %1 exportiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>sp::BackgroundAgent</name>
    <message>
        <source>Cannot run %1: the background agent is not running.</source>
        <translation>%1 kann nicht ausgeführt werden: der Hintergrund-Agent läuft nicht.</translation>
    </message>
</context>
<context>
    <name>sp::BacktestPanel</name>
    <message>
        <source>Pla&amp;n:</source>
        <translation>Pla&amp;n:</translation>
    </message>
    <message>
        <source>Plan to replay</source>
        <translation>Plan für den Backtest</translation>
    </message>
    <message>
        <source>Custom plan to replay</source>
        <translation>Eigener Plan für den Backtest</translation>
    </message>
    <message>
        <source>P&amp;eriod:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>Period to replay</source>
        <translation>Zeitraum für den Backtest</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>R&amp;un backtest</source>
        <translation>Backtest &amp;ausführen</translation>
    </message>
    <message>
        <source>Run backtest</source>
        <translation>Backtest ausführen</translation>
    </message>
    <message>
        <source>Rollout %</source>
        <translation>Rollout %</translation>
    </message>
    <message>
        <source>Would pause</source>
        <translation>Würde pausieren</translation>
    </message>
    <message>
        <source>Would roll back</source>
        <translation>Würde zurückrollen</translation>
    </message>
    <message>
        <source>Backtest chart</source>
        <translation>Backtest-Diagramm</translation>
    </message>
    <message>
        <source>Backtest events</source>
        <translation>Backtest-Ereignisse</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>What would have happened</source>
        <translation>Was passiert wäre</translation>
    </message>
    <message>
        <source>This rollout&apos;s plan</source>
        <translation>Plan dieses Rollouts</translation>
    </message>
    <message>
        <source>Template %1</source>
        <translation>Vorlage %1</translation>
    </message>
    <message>
        <source>Custom plan</source>
        <translation>Eigener Plan</translation>
    </message>
    <message>
        <source>Pick a plan and a period, then run the backtest: it replays the recorded runs of this flag through the plan and its guardrails, as the controller would have. Nothing is written.</source>
        <translation>Wählen Sie einen Plan und einen Zeitraum und führen Sie dann den Backtest aus: Er spielt die aufgezeichneten Läufe dieses Flags mit dem Plan und seinen Guardrails nach, wie es der Controller getan hätte. Es wird nichts geschrieben.</translation>
    </message>
    <message>
        <source>Select a rollout to backtest its flag.</source>
        <translation>Wählen Sie einen Rollout, um sein Flag einem Backtest zu unterziehen.</translation>
    </message>
    <message>
        <source>Run the backtest to replay the recorded runs of %1 through a plan.</source>
        <translation>Führen Sie den Backtest aus, um die aufgezeichneten Läufe von %1 mit einem Plan nachzuspielen.</translation>
    </message>
    <message>
        <source>The selected rollout has no plan.</source>
        <translation>Der ausgewählte Rollout hat keinen Plan.</translation>
    </message>
    <message>
        <source>Custom plan: enter phases such as 5:1h,25:2h,100.</source>
        <translation>Eigener Plan: Geben Sie Phasen wie 5:1h,25:2h,100 ein.</translation>
    </message>
    <message>
        <source>Custom plan: %1</source>
        <translation>Eigener Plan: %1</translation>
    </message>
    <message>
        <source>Run the backtest to list what the controller would have done.</source>
        <translation>Führen Sie den Backtest aus, um aufzulisten, was der Controller getan hätte.</translation>
    </message>
    <message>
        <source>Replaying the recorded runs of %1…</source>
        <translation>Die aufgezeichneten Läufe von %1 werden nachgespielt…</translation>
    </message>
    <message>
        <source>The backtest failed: %1</source>
        <translation>Der Backtest ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>still running</source>
        <translation>noch laufend</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation>zurückgerollt</translation>
    </message>
    <message numerus="yes">
        <source>%n run record(s) replayed through %1.</source>
        <translation>
            <numerusform>%n Laufdatensatz mit %1 nachgespielt.</numerusform>
            <numerusform>%n Laufdatensätze mit %1 nachgespielt.</numerusform>
        </translation>
    </message>
    <message>
        <source>The rollout would have ended %1 at %2.</source>
        <translation>Endstand des Rollouts: %1 bei %2.</translation>
    </message>
    <message>
        <source>There are no recorded runs in this period, so no guardrail could judge it.</source>
        <translation>In diesem Zeitraum gibt es keine aufgezeichneten Läufe, daher konnte keine Guardrail ihn beurteilen.</translation>
    </message>
    <message>
        <source>No decisions in this period: the plan would have held its first phase.</source>
        <translation>Keine Entscheidungen in diesem Zeitraum: Der Plan hätte seine erste Phase gehalten.</translation>
    </message>
</context>
<context>
    <name>sp::FlagDetailPanel</name>
    <message>
        <source>%1 %</source>
        <comment>rollout percentage</comment>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Flag details</source>
        <translation>Flag-Details</translation>
    </message>
    <message>
        <source>Select a flag to see its details and to ramp its rollout percentage.</source>
        <translation>Wählen Sie ein Flag, um seine Details zu sehen und seinen Rollout-Prozentsatz anzupassen.</translation>
    </message>
    <message>
        <source>Flag key</source>
        <translation>Flag-Schlüssel</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Edit flag</source>
        <translation>Flag bearbeiten</translation>
    </message>
    <message>
        <source>Change the description, tags, prerequisites and segments (Enter)</source>
        <translation>Beschreibung, Tags, Voraussetzungen und Segmente ändern (Enter)</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
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
        <source>Segments</source>
        <translation>Segmente</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>Letzte Änderung</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation>Tags:</translation>
    </message>
    <message>
        <source>Prerequisites:</source>
        <translation>Voraussetzungen:</translation>
    </message>
    <message>
        <source>Segments:</source>
        <translation>Segmente:</translation>
    </message>
    <message>
        <source>Last change:</source>
        <translation>Letzte Änderung:</translation>
    </message>
    <message>
        <source>Rollout percentage</source>
        <translation>Rollout-Prozentsatz</translation>
    </message>
    <message>
        <source>Share of targeting keys that get the flag while it is on, in steps of 0.1 %</source>
        <translation>Anteil der Targeting-Schlüssel, die das Flag erhalten, solange es an ist, in Schritten von 0,1 %</translation>
    </message>
    <message>
        <source>Rollout percentage value</source>
        <translation>Wert des Rollout-Prozentsatzes</translation>
    </message>
    <message>
        <source> %</source>
        <comment>spin box suffix</comment>
        <translation> %</translation>
    </message>
    <message>
        <source>Rollout notice</source>
        <translation>Rollout-Hinweis</translation>
    </message>
    <message>
        <source>Preview of the change</source>
        <translation>Vorschau der Änderung</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Apply percentage</source>
        <translation>Prozentsatz anwenden</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Reset percentage</source>
        <translation>Prozentsatz zurücksetzen</translation>
    </message>
    <message>
        <source>The flag “%1” no longer exists.</source>
        <translation>Das Flag „%1“ existiert nicht mehr.</translation>
    </message>
    <message>
        <source>No description.</source>
        <translation>Keine Beschreibung.</translation>
    </message>
    <message>
        <source>On, %1</source>
        <translation>An, %1</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>On, %1, but forced off by the kill switch (the flag is tagged sync)</source>
        <translation>An, %1, aber vom Notschalter erzwungen aus (das Flag hat den Tag sync)</translation>
    </message>
    <message>
        <source>included: %1</source>
        <translation>eingeschlossen: %1</translation>
    </message>
    <message>
        <source>excluded: %1</source>
        <translation>ausgeschlossen: %1</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>unknown time</source>
        <translation>unbekannte Zeit</translation>
    </message>
    <message>
        <source>%1, %2 (version %3)</source>
        <comment>who, when, version</comment>
        <translation>%1, %2 (Version %3)</translation>
    </message>
    <message>
        <source>%1, %2, from %3 (version %4)</source>
        <comment>who, when, source (gui, cli, agent…), version</comment>
        <translation>%1, %2, über %3 (Version %4)</translation>
    </message>
    <message>
        <source>phase %1 of %2, %3</source>
        <translation>Phase %1 von %2, %3</translation>
    </message>
    <message>
        <source>A rollout is running on this flag (%1) and owns its percentage. You can still change it here, but the rollout&apos;s next phase sets it again.</source>
        <translation>Auf diesem Flag läuft ein Rollout (%1), der seinen Prozentsatz steuert. Sie können ihn hier trotzdem ändern, aber die nächste Phase des Rollouts setzt ihn erneut.</translation>
    </message>
    <message>
        <source>A paused rollout owns this flag&apos;s percentage (%1). A change made here lasts until the rollout resumes and sets its next phase.</source>
        <translation>Ein pausierter Rollout steuert den Prozentsatz dieses Flags (%1). Eine hier vorgenommene Änderung gilt, bis der Rollout fortgesetzt wird und seine nächste Phase setzt.</translation>
    </message>
    <message>
        <source>A draft rollout exists for this flag: starting it sets the percentage of its first phase.</source>
        <translation>Für dieses Flag gibt es einen Rollout-Entwurf: Sein Start setzt den Prozentsatz seiner ersten Phase.</translation>
    </message>
    <message>
        <source>The preview could not be computed: %1</source>
        <translation>Die Vorschau konnte nicht berechnet werden: %1</translation>
    </message>
    <message>
        <source>Counting the known targets…</source>
        <translation>Die bekannten Ziele werden gezählt…</translation>
    </message>
    <message>
        <source>No known targets: no sync config is gated by this flag and no segment lists targeting keys.</source>
        <translation>Keine bekannten Ziele: Keine Sync-Konfiguration hängt von diesem Flag ab und kein Segment listet Targeting-Schlüssel.</translation>
    </message>
    <message>
        <source>%1 of %2 known targets change side: %3 turn on, %4 turn off.</source>
        <translation>%1 von %2 bekannten Zielen wechseln die Seite: %3 werden eingeschaltet, %4 ausgeschaltet.</translation>
    </message>
    <message>
        <source>The flag is off: nobody changes side until it is switched on.</source>
        <translation>Das Flag ist aus: Niemand wechselt die Seite, bis es eingeschaltet wird.</translation>
    </message>
    <message>
        <source>The kill switch holds this sync flag off everywhere.</source>
        <translation>Der Notschalter hält dieses Sync-Flag überall aus.</translation>
    </message>
    <message>
        <source>Set %1 to %2 (was %3)</source>
        <translation>%1 auf %2 setzen (bisher %3)</translation>
    </message>
    <message>
        <source>Move the slider to choose a new percentage first</source>
        <translation>Bewegen Sie zuerst den Schieberegler, um einen neuen Prozentsatz zu wählen</translation>
    </message>
    <message>
        <source>%1 is now at %2.</source>
        <translation>%1 steht jetzt auf %2.</translation>
    </message>
</context>
<context>
    <name>sp::FlagDialog</name>
    <message>
        <source>New flag</source>
        <translation>Neues Flag</translation>
    </message>
    <message>
        <source>Edit flag %1</source>
        <translation>Flag %1 bearbeiten</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>e.g. tokens.sync-path</source>
        <translation>z. B. tokens.sync-path</translation>
    </message>
    <message>
        <source>A flag&apos;s key cannot change: services ask for it by name.</source>
        <translation>Der Schlüssel eines Flags kann sich nicht ändern: Dienste fragen es über seinen Namen ab.</translation>
    </message>
    <message>
        <source>1-64 characters: a lower-case letter first, then a-z, 0-9, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>1–64 Zeichen: zuerst ein Kleinbuchstabe, dann a-z, 0-9, &apos;_&apos;, &apos;.&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>What the flag turns on</source>
        <translation>Was das Flag einschaltet</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>comma separated, e.g. sync, figma</source>
        <translation>durch Kommas getrennt, z. B. sync, figma</translation>
    </message>
    <message>
        <source>The tag sync puts the flag under the kill switch.</source>
        <translation>Der Tag sync stellt das Flag unter den Notschalter.</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>&amp;Tags:</translation>
    </message>
    <message>
        <source>Prerequisites</source>
        <translation>Voraussetzungen</translation>
    </message>
    <message>
        <source>Flags that must be on for the same context.</source>
        <translation>Flags, die für denselben Kontext an sein müssen.</translation>
    </message>
    <message>
        <source>No other flags to require yet.</source>
        <translation>Noch keine anderen Flags, die vorausgesetzt werden können.</translation>
    </message>
    <message>
        <source>&amp;Prerequisites:</source>
        <translation>&amp;Voraussetzungen:</translation>
    </message>
    <message>
        <source>Included segments</source>
        <translation>Eingeschlossene Segmente</translation>
    </message>
    <message>
        <source>Excluded segments</source>
        <translation>Ausgeschlossene Segmente</translation>
    </message>
    <message>
        <source>No segments yet (create one with: syncpilot-cli segment create NAME).</source>
        <translation>Noch keine Segmente (legen Sie eines an mit: syncpilot-cli segment create NAME).</translation>
    </message>
    <message>
        <source>Segments:</source>
        <translation>Segmente:</translation>
    </message>
    <message>
        <source>Always on:</source>
        <translation>Immer an:</translation>
    </message>
    <message>
        <source>Always off:</source>
        <translation>Immer aus:</translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation>&amp;An</translation>
    </message>
    <message>
        <source>Flag on</source>
        <translation>Flag an</translation>
    </message>
    <message>
        <source>Rollout percentage</source>
        <translation>Rollout-Prozentsatz</translation>
    </message>
    <message>
        <source> %</source>
        <comment>spin box suffix</comment>
        <translation> %</translation>
    </message>
    <message>
        <source>Rollout:</source>
        <translation>Rollout:</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Key: enter a key, e.g. tokens.sync-path.</source>
        <translation>Schlüssel: Geben Sie einen Schlüssel ein, z. B. tokens.sync-path.</translation>
    </message>
    <message>
        <source>Key: %1</source>
        <translation>Schlüssel: %1</translation>
    </message>
    <message>
        <source>Key: a flag called “%1” exists already.</source>
        <translation>Schlüssel: Ein Flag namens „%1“ existiert bereits.</translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation>Tags: %1</translation>
    </message>
    <message>
        <source>Segments: “%1” cannot be both always on and always off.</source>
        <translation>Segmente: „%1“ kann nicht zugleich immer an und immer aus sein.</translation>
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
        <source>Share of targeting keys that get the flag while it is on.</source>
        <translation>Anteil der Targeting-Schlüssel, die das Flag erhalten, solange es an ist.</translation>
    </message>
    <message>
        <source>Flags that must be on for the same context.</source>
        <translation>Flags, die für denselben Kontext an sein müssen.</translation>
    </message>
    <message>
        <source>Switch, on. Press Space to turn the flag off.</source>
        <translation>Schalter, an. Drücken Sie die Leertaste, um das Flag auszuschalten.</translation>
    </message>
    <message>
        <source>Switch, off. Press Space to turn the flag on.</source>
        <translation>Schalter, aus. Drücken Sie die Leertaste, um das Flag einzuschalten.</translation>
    </message>
    <message>
        <source>The flag&apos;s master switch. Click the switch or press Space to turn it on or off for everyone.</source>
        <translation>Der Hauptschalter des Flags. Klicken Sie auf den Schalter oder drücken Sie die Leertaste, um es für alle ein- oder auszuschalten.</translation>
    </message>
</context>
<context>
    <name>sp::FlagsPage</name>
    <message>
        <source>New flag…</source>
        <translation>Neues Flag…</translation>
    </message>
    <message>
        <source>Create a flag (%1)</source>
        <translation>Ein Flag anlegen (%1)</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Edit the selected flag (Enter or double-click)</source>
        <translation>Das ausgewählte Flag bearbeiten (Enter oder Doppelklick)</translation>
    </message>
    <message>
        <source>New flag</source>
        <translation>Neues Flag</translation>
    </message>
    <message>
        <source>Edit flag</source>
        <translation>Flag bearbeiten</translation>
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
        <source>Flag count</source>
        <translation>Anzahl der Flags</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Flags</translation>
    </message>
    <message>
        <source>Space on the State column turns the flag on or off; Enter edits the flag.</source>
        <translation>Die Leertaste in der Spalte „Status“ schaltet das Flag ein oder aus; Enter bearbeitet das Flag.</translation>
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
        <source>No flags yet.
Create one with “New flag…” (%1).</source>
        <translation>Noch keine Flags.
Legen Sie eines mit „Neues Flag…“ (%1) an.</translation>
    </message>
    <message>
        <source>No flag matches “%1”.</source>
        <translation>Kein Flag passt zu „%1“.</translation>
    </message>
    <message>
        <source>Created flag %1.</source>
        <translation>Flag %1 angelegt.</translation>
    </message>
    <message>
        <source>Saved flag %1.</source>
        <translation>Flag %1 gespeichert.</translation>
    </message>
</context>
<context>
    <name>sp::HealthChartView</name>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>half open</source>
        <translation>halb offen</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>%1 (%2, %3)
%4</source>
        <translation>%1 (%2, %3)
%4</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>manuell</translation>
    </message>
</context>
<context>
    <name>sp::HealthView</name>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>&amp;Flag:</source>
        <translation>&amp;Flag:</translation>
    </message>
    <message>
        <source>Flag to chart</source>
        <translation>Flag für das Diagramm</translation>
    </message>
    <message>
        <source>Flags with recorded runs come first.</source>
        <translation>Flags mit aufgezeichneten Läufen stehen oben.</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>Letzte 15 Minuten</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 h</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 d</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Live updates</source>
        <translation>Live-Aktualisierung</translation>
    </message>
    <message>
        <source>Update the charts every 2 seconds and keep the range ending now (%1)</source>
        <translation>Die Diagramme alle 2 Sekunden aktualisieren und den Bereich bis jetzt reichen lassen (%1)</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>Zoom zurücksetzen</translation>
    </message>
    <message>
        <source>Back to the selected range (Esc or double-click on a chart)</source>
        <translation>Zurück zum gewählten Bereich (Esc oder Doppelklick auf ein Diagramm)</translation>
    </message>
    <message>
        <source>Drag across a chart to zoom in, use the wheel to zoom, drag with the right button or Shift (or the arrow keys) to pan, double-click or Esc to reset.</source>
        <translation>Über ein Diagramm ziehen zum Vergrößern, Mausrad zum Zoomen, mit der rechten Maustaste oder Umschalt (oder den Pfeiltasten) ziehen zum Verschieben, Doppelklick oder Esc zum Zurücksetzen.</translation>
    </message>
    <message>
        <source>Error rate (%)</source>
        <translation>Fehlerquote (%)</translation>
    </message>
    <message>
        <source>Error rate chart</source>
        <translation>Diagramm der Fehlerquote</translation>
    </message>
    <message>
        <source>Latency (ms): p95 solid, p50 dotted</source>
        <translation>Latenz (ms): p95 durchgezogen, p50 gepunktet</translation>
    </message>
    <message>
        <source>Latency chart</source>
        <translation>Diagramm der Latenz</translation>
    </message>
    <message>
        <source>Runs per minute</source>
        <translation>Läufe pro Minute</translation>
    </message>
    <message>
        <source>Runs chart</source>
        <translation>Diagramm der Läufe</translation>
    </message>
    <message>
        <source>Mismatches per minute</source>
        <translation>Abweichungen pro Minute</translation>
    </message>
    <message>
        <source>Mismatches chart</source>
        <translation>Diagramm der Abweichungen</translation>
    </message>
    <message>
        <source>HTTP 429 responses per run</source>
        <translation>HTTP-429-Antworten pro Lauf</translation>
    </message>
    <message>
        <source>429 chart</source>
        <translation>429-Diagramm</translation>
    </message>
    <message>
        <source>Circuit breakers</source>
        <translation>Circuit Breaker</translation>
    </message>
    <message>
        <source>Circuit breaker chart</source>
        <translation>Circuit-Breaker-Diagramm</translation>
    </message>
    <message>
        <source>No health data</source>
        <translation>Keine Zustandsdaten</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>No runs recorded in the last 7 days</source>
        <translation>Keine Läufe in den letzten 7 Tagen aufgezeichnet</translation>
    </message>
    <message>
        <source>the zoomed range</source>
        <translation>dem gezoomten Bereich</translation>
    </message>
    <message>
        <source>the last 15 minutes</source>
        <translation>den letzten 15 Minuten</translation>
    </message>
    <message>
        <source>the last hour</source>
        <translation>der letzten Stunde</translation>
    </message>
    <message>
        <source>the last 24 hours</source>
        <translation>den letzten 24 Stunden</translation>
    </message>
    <message>
        <source>the last 7 days</source>
        <translation>den letzten 7 Tagen</translation>
    </message>
    <message>
        <source>this range</source>
        <translation>diesem Bereich</translation>
    </message>
    <message>
        <source>No flags in this workspace yet. Create a flag on the Flags page; its runs show up here.</source>
        <translation>Noch keine Flags in diesem Arbeitsbereich. Legen Sie auf der Seite „Flags“ ein Flag an; seine Läufe erscheinen hier.</translation>
    </message>
    <message>
        <source>Could not read the runs: %1</source>
        <translation>Die Läufe konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>No runs of %1 in %2.
Runs appear here as soon as the sync engine records them or they are imported with syncpilot-cli metrics ingest.</source>
        <translation>Keine Läufe von %1 in %2.
Läufe erscheinen hier, sobald die Sync-Engine sie aufzeichnet oder sie mit syncpilot-cli metrics ingest importiert werden.</translation>
    </message>
    <message>
        <source>Circuit breakers: no state reported in this range</source>
        <translation>Circuit Breaker: in diesem Bereich kein Zustand gemeldet</translation>
    </message>
    <message numerus="yes">
        <source>%n-min buckets</source>
        <translation>
            <numerusform>%n-min-Intervalle</numerusform>
            <numerusform>%n-min-Intervalle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n-h buckets</source>
        <translation>
            <numerusform>%n-h-Intervalle</numerusform>
            <numerusform>%n-h-Intervalle</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · updated %2%3</source>
        <translation>%1 · aktualisiert %2%3</translation>
    </message>
    <message>
        <source> · zoomed</source>
        <translation> · gezoomt</translation>
    </message>
</context>
<context>
    <name>sp::LoopbackReceiver</name>
    <message>
        <source>SyncPilot stopped waiting for this sign-in. Start it again from SyncPilot.</source>
        <translation>SyncPilot wartet nicht mehr auf diese Anmeldung. Starten Sie sie in SyncPilot erneut.</translation>
    </message>
    <message>
        <source>Cannot open a port on 127.0.0.1 for the sign-in callback: %1</source>
        <translation>Für den Rückruf der Anmeldung kann kein Port auf 127.0.0.1 geöffnet werden: %1</translation>
    </message>
    <message>
        <source>The request is too large.</source>
        <translation>Die Anfrage ist zu groß.</translation>
    </message>
    <message>
        <source>This is not a request SyncPilot understands.</source>
        <translation>SyncPilot versteht diese Anfrage nicht.</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>Nicht gefunden.</translation>
    </message>
    <message>
        <source>This sign-in is already complete. You can close this tab.</source>
        <translation>Diese Anmeldung ist bereits abgeschlossen. Sie können diesen Tab schließen.</translation>
    </message>
    <message>
        <source>This sign-in response does not belong to the sign-in SyncPilot is waiting for (the state parameter does not match). It was ignored.</source>
        <translation>Diese Anmelde-Antwort gehört nicht zu der Anmeldung, auf die SyncPilot wartet (der state-Parameter stimmt nicht überein). Sie wurde ignoriert.</translation>
    </message>
    <message>
        <source>Sign-in was not completed: %1. You can close this tab.</source>
        <translation>Die Anmeldung wurde nicht abgeschlossen: %1. Sie können diesen Tab schließen.</translation>
    </message>
    <message>
        <source>Sign-in was not completed: %1 (%2). You can close this tab.</source>
        <translation>Die Anmeldung wurde nicht abgeschlossen: %1 (%2). Sie können diesen Tab schließen.</translation>
    </message>
    <message>
        <source>The sign-in response has neither a code nor an error.</source>
        <translation>Die Anmelde-Antwort enthält weder einen Code noch einen Fehler.</translation>
    </message>
    <message>
        <source>SyncPilot: signed in</source>
        <translation>SyncPilot: angemeldet</translation>
    </message>
    <message>
        <source>SyncPilot: sign-in</source>
        <translation>SyncPilot: Anmeldung</translation>
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
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>Arbeitsbereich</translation>
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
        <source>Flags</source>
        <translation>Flags</translation>
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
        <source>Emergency rollback</source>
        <translation>Notfall-Rollback</translation>
    </message>
    <message>
        <source>Everything back to the safe legacy path at once: every sync flag off, every rollout rolled back, every sync config to legacy (Ctrl+Shift+K). Restore undoes it.</source>
        <translation>Alles auf einmal zurück auf den sicheren Legacy-Pfad: jedes Sync-Flag aus, jedes Rollout zurückgerollt, jede Sync-Konfiguration auf legacy (Strg+Umschalt+K). „Wiederherstellen“ macht es rückgängig.</translation>
    </message>
    <message>
        <source>Rollback result</source>
        <translation>Ergebnis des Rollbacks</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Put back what the rollback changed (refused, with the differences, if someone changed it since)</source>
        <translation>Zurücksetzen, was der Rollback geändert hat (abgelehnt, mit den Unterschieden, wenn seither jemand etwas geändert hat)</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Emergency rollback from the console</source>
        <translation>Notfall-Rollback aus der Konsole</translation>
    </message>
    <message>
        <source>Emergency rollback: nothing was on the sync path; nothing changed.</source>
        <translation>Notfall-Rollback: nichts war auf dem Sync-Pfad; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Emergency rollback done in %1 ms: %2 flag(s) off, %3 rollout(s) rolled back, %4 sync config(s) on legacy.</source>
        <translation>Notfall-Rollback in %1 ms erledigt: %2 Flag(s) aus, %3 Rollout(s) zurückgerollt, %4 Sync-Konfiguration(en) auf legacy.</translation>
    </message>
    <message>
        <source>Flags: %1.</source>
        <translation>Flags: %1.</translation>
    </message>
    <message>
        <source>The published flag file could not be rewritten: %1</source>
        <translation>Die veröffentlichte Flag-Datei konnte nicht neu geschrieben werden: %1</translation>
    </message>
    <message>
        <source>Restore after the emergency rollback</source>
        <translation>Wiederherstellung nach dem Notfall-Rollback</translation>
    </message>
    <message>
        <source>Restored: %1 flag(s), %2 rollout(s) and %3 sync config(s) are as they were before the rollback.</source>
        <translation>Wiederhergestellt: %1 Flag(s), %2 Rollout(s) und %3 Sync-Konfiguration(en) sind wie vor dem Rollback.</translation>
    </message>
    <message>
        <source>Restore refused: %1</source>
        <translation>Wiederherstellung abgelehnt: %1</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>In Arbeit…</translation>
    </message>
    <message>
        <source>Signed-in account</source>
        <translation>Angemeldetes Konto</translation>
    </message>
    <message>
        <source>Controller</source>
        <translation>Controller</translation>
    </message>
    <message>
        <source>Controller: not run by this console</source>
        <translation>Controller: nicht von dieser Konsole ausgeführt</translation>
    </message>
    <message>
        <source>This console does not run the controller; an agent or another console may.</source>
        <translation>Diese Konsole führt den Controller nicht aus; ein Agent oder eine andere Konsole tut es möglicherweise.</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Ansichten</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>What needs attention now</source>
        <translation>Was jetzt Aufmerksamkeit braucht</translation>
    </message>
    <message>
        <source>Switches, percentages and the kill switch</source>
        <translation>Schalter, Prozentsätze und der Notschalter</translation>
    </message>
    <message>
        <source>Rollouts</source>
        <translation>Rollouts</translation>
    </message>
    <message>
        <source>Phased plans, guardrails and decisions</source>
        <translation>Phasenpläne, Guardrails und Entscheidungen</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Sources, mapping, targets and modes</source>
        <translation>Quellen, Zuordnung, Ziele und Modi</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Live charts per flag and cohort</source>
        <translation>Live-Diagramme pro Flag und Kohorte</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>Audit</translation>
    </message>
    <message>
        <source>Who changed what, verified and exportable</source>
        <translation>Wer was geändert hat, geprüft und exportierbar</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Ctrl+%2)</translation>
    </message>
    <message>
        <source>Read the workspace again (F5)</source>
        <translation>Den Arbeitsbereich neu einlesen (F5)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>SyncPilot will use %1 from its next start.</source>
        <translation>SyncPilot verwendet %1 ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>A&amp;ktionen</translation>
    </message>
    <message>
        <source>Show SyncPilot</source>
        <translation>SyncPilot anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Controller: starting…</source>
        <translation>Controller: wird gestartet…</translation>
    </message>
    <message>
        <source>Controller: this console</source>
        <translation>Controller: diese Konsole</translation>
    </message>
    <message>
        <source>This console runs the controller and the sync engine while it is open.</source>
        <translation>Diese Konsole führt den Controller und die Sync-Engine aus, solange sie geöffnet ist.</translation>
    </message>
    <message>
        <source>Controller: elsewhere</source>
        <translation>Controller: anderswo</translation>
    </message>
    <message>
        <source>Another process runs the controller: %1</source>
        <translation>Ein anderer Prozess führt den Controller aus: %1</translation>
    </message>
    <message>
        <source>Another process took over the controller: %1</source>
        <translation>Ein anderer Prozess hat den Controller übernommen: %1</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Nicht angemeldet</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>Angemeldet als %1</translation>
    </message>
    <message>
        <source>Sign in with Google on the Sync view to read Google Sheets.</source>
        <translation>Melden Sie sich in der Sync-Ansicht mit Google an, um Google Sheets zu lesen.</translation>
    </message>
    <message>
        <source>Changes made here name %1 in the audit log.</source>
        <translation>Hier vorgenommene Änderungen werden im Audit-Protokoll %1 zugeschrieben.</translation>
    </message>
    <message>
        <source>Rollout of %1 paused</source>
        <translation>Rollout von %1 pausiert</translation>
    </message>
    <message>
        <source>%1 rolled back</source>
        <translation>%1 zurückgerollt</translation>
    </message>
    <message>
        <source>Emergency rollback by the controller</source>
        <translation>Notfall-Rollback durch den Controller</translation>
    </message>
    <message>
        <source>The controller acted: %1</source>
        <translation>Der Controller hat gehandelt: %1</translation>
    </message>
</context>
<context>
    <name>sp::OAuthSession</name>
    <message numerus="yes">
        <source>no answer within %n second(s)</source>
        <translation>
            <numerusform>keine Antwort innerhalb von %n Sekunde</numerusform>
            <numerusform>keine Antwort innerhalb von %n Sekunden</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 failed: cannot reach %2: %3.</source>
        <translation>%1 fehlgeschlagen: %2 ist nicht erreichbar: %3.</translation>
    </message>
    <message>
        <source>%1 failed: %2 answered HTTP %3 without an OAuth error.</source>
        <translation>%1 fehlgeschlagen: %2 antwortete mit HTTP %3 ohne OAuth-Fehler.</translation>
    </message>
    <message>
        <source>%1 failed: %2 answered %3 (HTTP %4).</source>
        <translation>%1 fehlgeschlagen: %2 antwortete mit %3 (HTTP %4).</translation>
    </message>
    <message>
        <source>%1 failed: %2 answered %3: %4 (HTTP %5).</source>
        <translation>%1 fehlgeschlagen: %2 antwortete mit %3: %4 (HTTP %5).</translation>
    </message>
    <message>
        <source>The token endpoint %1 sent no access_token.</source>
        <translation>Der Token-Endpunkt %1 hat kein access_token gesendet.</translation>
    </message>
    <message>
        <source>The token endpoint %1 sent a token of type &quot;%2&quot;; SyncPilot needs a Bearer token.</source>
        <translation>Der Token-Endpunkt %1 hat ein Token vom Typ „%2“ gesendet; SyncPilot braucht ein Bearer-Token.</translation>
    </message>
    <message numerus="yes">
        <source>Google sign-in: no valid answer from the browser within %n second(s); %1 answer(s) with a wrong state were refused. Start the sign-in again.</source>
        <translation>
            <numerusform>Google-Anmeldung: keine gültige Antwort vom Browser innerhalb von %n Sekunde; %1 Antwort(en) mit falschem state wurde(n) abgelehnt. Starten Sie die Anmeldung erneut.</numerusform>
            <numerusform>Google-Anmeldung: keine gültige Antwort vom Browser innerhalb von %n Sekunden; %1 Antwort(en) mit falschem state wurde(n) abgelehnt. Starten Sie die Anmeldung erneut.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Google sign-in: no answer from the browser within %n second(s). Start the sign-in again.</source>
        <translation>
            <numerusform>Google-Anmeldung: keine Antwort vom Browser innerhalb von %n Sekunde. Starten Sie die Anmeldung erneut.</numerusform>
            <numerusform>Google-Anmeldung: keine Antwort vom Browser innerhalb von %n Sekunden. Starten Sie die Anmeldung erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>Google sign-in was cancelled.</source>
        <translation>Die Google-Anmeldung wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Google sign-in was not completed in the browser: %1.</source>
        <translation>Die Google-Anmeldung wurde im Browser nicht abgeschlossen: %1.</translation>
    </message>
    <message>
        <source>Google sign-in was not completed in the browser: %1 (%2).</source>
        <translation>Die Google-Anmeldung wurde im Browser nicht abgeschlossen: %1 (%2).</translation>
    </message>
    <message>
        <source>Google sign-in</source>
        <translation>Google-Anmeldung</translation>
    </message>
    <message>
        <source>Google sign-in failed: %1 issued no refresh token (offline access was not granted).</source>
        <translation>Google-Anmeldung fehlgeschlagen: %1 hat kein Refresh-Token ausgestellt (Offline-Zugriff wurde nicht gewährt).</translation>
    </message>
    <message>
        <source>SyncPilot is signed in. You can close this tab.</source>
        <translation>SyncPilot ist angemeldet. Sie können diesen Tab schließen.</translation>
    </message>
    <message>
        <source>Not signed in to Google: run `syncpilot-cli auth google sign-in`.</source>
        <translation>Nicht bei Google angemeldet: führen Sie `syncpilot-cli auth google sign-in` aus.</translation>
    </message>
    <message>
        <source>Google sign-in expired or was revoked; sign in again with `syncpilot-cli auth google sign-in`.</source>
        <translation>Die Google-Anmeldung ist abgelaufen oder wurde widerrufen; melden Sie sich erneut an mit `syncpilot-cli auth google sign-in`.</translation>
    </message>
    <message>
        <source>Google sign-in for %1 expired or was revoked; sign in again with `syncpilot-cli auth google sign-in`.</source>
        <translation>Die Google-Anmeldung für %1 ist abgelaufen oder wurde widerrufen; melden Sie sich erneut an mit `syncpilot-cli auth google sign-in`.</translation>
    </message>
    <message>
        <source>Refreshing the Google access token</source>
        <translation>Aktualisieren des Google-Zugriffstokens</translation>
    </message>
    <message>
        <source>The sign-in was removed from this computer, but revoking it at %1 failed: %2. Revoke SyncPilot&apos;s access in your Google account settings.</source>
        <translation>Die Anmeldung wurde von diesem Computer entfernt, aber der Widerruf bei %1 ist fehlgeschlagen: %2. Widerrufen Sie den Zugriff von SyncPilot in den Einstellungen Ihres Google-Kontos.</translation>
    </message>
    <message>
        <source>The sign-in was removed from this computer, but %1 refused to revoke it (HTTP %2%3). Revoke SyncPilot&apos;s access in your Google account settings.</source>
        <translation>Die Anmeldung wurde von diesem Computer entfernt, aber %1 hat den Widerruf abgelehnt (HTTP %2%3). Widerrufen Sie den Zugriff von SyncPilot in den Einstellungen Ihres Google-Kontos.</translation>
    </message>
</context>
<context>
    <name>sp::OverviewView</name>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Read everything again now</source>
        <translation>Jetzt alles neu einlesen</translation>
    </message>
    <message>
        <source>Refresh the overview</source>
        <translation>Übersicht aktualisieren</translation>
    </message>
    <message>
        <source>Running rollouts</source>
        <translation>Laufende Rollouts</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Flag</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Verbleibend</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>No rollout is running. Start one in Rollouts.</source>
        <translation>Kein Rollout läuft. Starten Sie einen unter „Rollouts“.</translation>
    </message>
    <message>
        <source>Health per flag</source>
        <translation>Zustand pro Flag</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Warum</translation>
    </message>
    <message>
        <source>No flag has a sync cohort or an active rollout yet, so there is no health to judge.</source>
        <translation>Noch kein Flag hat eine Sync-Kohorte oder einen aktiven Rollout, daher gibt es keinen Zustand zu beurteilen.</translation>
    </message>
    <message>
        <source>Last sync per config</source>
        <translation>Letzter Sync pro Konfiguration</translation>
    </message>
    <message>
        <source>Config</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>Last run</source>
        <translation>Letzter Lauf</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <source>No sync config yet. Add one in Sync.</source>
        <translation>Noch keine Sync-Konfiguration. Legen Sie eine unter „Sync“ an.</translation>
    </message>
    <message>
        <source>Open circuit breakers</source>
        <translation>Offene Circuit Breaker</translation>
    </message>
    <message>
        <source>Upstream</source>
        <translation>Upstream-Dienst</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>All upstreams healthy.</source>
        <translation>Alle Upstream-Dienste gesund.</translation>
    </message>
    <message>
        <source>Recent controller decisions</source>
        <translation>Letzte Entscheidungen des Controllers</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>No decision yet: starting, advancing, pausing or rolling back a rollout is recorded here.</source>
        <translation>Noch keine Entscheidung: Das Starten, Weiterschalten, Pausieren oder Zurückrollen eines Rollouts wird hier festgehalten.</translation>
    </message>
    <message>
        <source>Could not read the workspace: %1</source>
        <translation>Der Arbeitsbereich konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Updated %1; refreshes on every change and every %2 s.</source>
        <translation>Stand: %1; wird bei jeder Änderung und alle %2 s aktualisiert.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n min</numerusform>
            <numerusform>vor %n min</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, phase %2 of %3</source>
        <translation>%1, Phase %2 von %3</translation>
    </message>
    <message>
        <source>final phase</source>
        <translation>Endphase</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Running; %1</source>
        <translation>Läuft; %1</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>Pausiert: %1</translation>
    </message>
    <message>
        <source>not started</source>
        <translation>nicht gestartet</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Gesund</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <source>No data</source>
        <translation>Keine Daten</translation>
    </message>
    <message>
        <source>%1 ok, %2 failed</source>
        <translation>%1 ok, %2 fehlgeschlagen</translation>
    </message>
    <message>
        <source>, %1 not run</source>
        <translation>, %1 nicht gelaufen</translation>
    </message>
    <message>
        <source>%1 (fallback)</source>
        <translation>%1 (Rückfall)</translation>
    </message>
    <message>
        <source>never run</source>
        <translation>nie gelaufen</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>teilweise</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>half-open</source>
        <translation>halb offen</translation>
    </message>
    <message>
        <source>(no error text)</source>
        <translation>(kein Fehlertext)</translation>
    </message>
    <message>
        <source>%1
%2 failure(s) in a row; published by %3</source>
        <translation>%1
%2 Fehlschläge in Folge; veröffentlicht von %3</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>sp::PhaseTimeline</name>
    <message>
        <source>Rollout phases</source>
        <translation>Rollout-Phasen</translation>
    </message>
    <message>
        <source>%1 — phase %2</source>
        <translation>%1 — Phase %2</translation>
    </message>
    <message>
        <source>Paused at %1</source>
        <translation>Pausiert bei %1</translation>
    </message>
    <message>
        <source>Rolled back at %1</source>
        <translation>Zurückgerollt bei %1</translation>
    </message>
    <message>
        <source>Aborted at %1</source>
        <translation>Abgebrochen bei %1</translation>
    </message>
    <message>
        <source>Completed at %1</source>
        <translation>Abgeschlossen bei %1</translation>
    </message>
    <message>
        <source>No rollout selected.</source>
        <translation>Kein Rollout ausgewählt.</translation>
    </message>
    <message>
        <source>Phase %1: %2, %3</source>
        <translation>Phase %1: %2, %3</translation>
    </message>
    <message>
        <source>held %1</source>
        <translation>%1 gehalten</translation>
    </message>
    <message>
        <source>final</source>
        <translation>Endphase</translation>
    </message>
    <message>
        <source> (done)</source>
        <translation> (erledigt)</translation>
    </message>
    <message>
        <source> (current, %1)</source>
        <translation> (aktuell, %1)</translation>
    </message>
    <message>
        <source>%1. %2.</source>
        <translation>%1. %2.</translation>
    </message>
    <message>
        <source>Select a rollout to see its phases.</source>
        <translation>Wählen Sie einen Rollout, um seine Phasen zu sehen.</translation>
    </message>
    <message>
        <source>hold %1</source>
        <translation>Haltezeit %1</translation>
    </message>
    <message>
        <source>current</source>
        <translation>aktuell</translation>
    </message>
</context>
<context>
    <name>sp::RolloutsView</name>
    <message>
        <source>Rollouts</source>
        <translation>Rollouts</translation>
    </message>
    <message>
        <source>&lt;b&gt;Rollouts&lt;/b&gt;</source>
        <translation>&lt;b&gt;Rollouts&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;Start rollout…</source>
        <translation>Rollout &amp;starten…</translation>
    </message>
    <message>
        <source>Start rollout</source>
        <translation>Rollout starten</translation>
    </message>
    <message>
        <source>Start a phased rollout of a flag from a template or a custom plan</source>
        <translation>Einen stufenweisen Rollout eines Flags aus einer Vorlage oder einem eigenen Plan starten</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Flag</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Verbleibend</translation>
    </message>
    <message>
        <source>No rollouts yet.
Start one with &quot;Start rollout…&quot;: pick a flag and a template such as canary (5 % → 25 % → 50 % → 100 %).</source>
        <translation>Noch keine Rollouts.
Starten Sie einen mit „Rollout starten…“: Wählen Sie ein Flag und eine Vorlage wie canary (5 % → 25 % → 50 % → 100 %).</translation>
    </message>
    <message>
        <source>Select a rollout to see its phases, guardrails and decisions.</source>
        <translation>Wählen Sie einen Rollout, um seine Phasen, Guardrails und Entscheidungen zu sehen.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Reason (optional, kept in the audit log and the ledger)</source>
        <translation>Grund (optional, wird im Audit-Protokoll und im Entscheidungsprotokoll gespeichert)</translation>
    </message>
    <message>
        <source>&amp;Advance</source>
        <translation>&amp;Weiterschalten</translation>
    </message>
    <message>
        <source>Advance</source>
        <translation>Weiterschalten</translation>
    </message>
    <message>
        <source>Move to the next phase now, without waiting for the hold time</source>
        <translation>Jetzt zur nächsten Phase wechseln, ohne die Haltezeit abzuwarten</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Stop advancing; the flag keeps its current phase</source>
        <translation>Nicht mehr weiterschalten; das Flag behält seine aktuelle Phase</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Continue the rollout; the phase&apos;s hold time starts again</source>
        <translation>Den Rollout fortsetzen; die Haltezeit der Phase beginnt von vorn</translation>
    </message>
    <message>
        <source>A&amp;bort…</source>
        <translation>A&amp;bbrechen…</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the rollout where it is; the flag keeps its settings</source>
        <translation>Den Rollout an der aktuellen Stelle beenden; das Flag behält seine Einstellungen</translation>
    </message>
    <message>
        <source>Guardrails</source>
        <translation>Guardrails</translation>
    </message>
    <message>
        <source>Guardrail</source>
        <translation>Guardrail</translation>
    </message>
    <message>
        <source>When it acts, and where it stands</source>
        <translation>Wann sie eingreift und wo sie steht</translation>
    </message>
    <message>
        <source>&amp;Guardrails</source>
        <translation>&amp;Guardrails</translation>
    </message>
    <message>
        <source>Decision ledger</source>
        <translation>Entscheidungsprotokoll</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>How</source>
        <translation>Wie</translation>
    </message>
    <message>
        <source>Actor / source</source>
        <translation>Akteur / Quelle</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>Evidence of the selected decision</source>
        <translation>Belege der ausgewählten Entscheidung</translation>
    </message>
    <message>
        <source>Select a decision to see the evidence behind it.</source>
        <translation>Wählen Sie eine Entscheidung, um die Belege dahinter zu sehen.</translation>
    </message>
    <message>
        <source>&amp;Decisions</source>
        <translation>&amp;Entscheidungen</translation>
    </message>
    <message>
        <source>Back&amp;test</source>
        <translation>Back&amp;test</translation>
    </message>
    <message>
        <source>Could not read the rollouts: %1</source>
        <translation>Die Rollouts konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Started %1.</source>
        <translation>Gestartet am %1.</translation>
    </message>
    <message>
        <source>Could not read the decision ledger: %1</source>
        <translation>Das Entscheidungsprotokoll konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>manuell</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Evaluating the guardrails of %1…</source>
        <translation>Die Guardrails von %1 werden ausgewertet…</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>gesund</translation>
    </message>
    <message>
        <source>breached</source>
        <translation>überschritten</translation>
    </message>
    <message>
        <source>insufficient data</source>
        <translation>zu wenige Daten</translation>
    </message>
    <message>
        <source>No guardrails are in force for %1: the controller advances on hold time alone.</source>
        <translation>Für %1 gelten keine Guardrails: Der Controller schaltet allein nach Haltezeit weiter.</translation>
    </message>
    <message numerus="yes">
        <source>%n guardrail(s) of %1 breached now.</source>
        <translation>
            <numerusform>%n Guardrail von %1 ist gerade überschritten.</numerusform>
            <numerusform>%n Guardrails von %1 sind gerade überschritten.</numerusform>
        </translation>
    </message>
    <message>
        <source>The guardrails of %1, evaluated over the recorded runs just now:</source>
        <translation>Die Guardrails von %1, soeben über die aufgezeichneten Läufe ausgewertet:</translation>
    </message>
    <message>
        <source>Could not evaluate the guardrails: %1</source>
        <translation>Die Guardrails konnten nicht ausgewertet werden: %1</translation>
    </message>
    <message>
        <source>Rollout of %1: %2 at %3.</source>
        <translation>Rollout von %1: %2 bei %3.</translation>
    </message>
    <message>
        <source>Abort rollout</source>
        <translation>Rollout abbrechen</translation>
    </message>
    <message>
        <source>Abort the rollout of %1 at %2?</source>
        <translation>Den Rollout von %1 bei %2 abbrechen?</translation>
    </message>
    <message>
        <source>The plan stops where it is and the flag keeps its current settings. Use a rollback to turn the flag off.</source>
        <translation>Der Plan stoppt an der aktuellen Stelle und das Flag behält seine aktuellen Einstellungen. Verwenden Sie einen Rollback, um das Flag auszuschalten.</translation>
    </message>
    <message>
        <source>Custom plan: %1.</source>
        <translation>Eigener Plan: %1.</translation>
    </message>
    <message>
        <source>Template %1: %2.</source>
        <translation>Vorlage %1: %2.</translation>
    </message>
</context>
<context>
    <name>sp::StartRolloutDialog</name>
    <message>
        <source>Start rollout</source>
        <translation>Rollout starten</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Flag</translation>
    </message>
    <message>
        <source>&amp;Flag:</source>
        <translation>&amp;Flag:</translation>
    </message>
    <message>
        <source>&amp;Template</source>
        <translation>&amp;Vorlage</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>&amp;Custom plan</source>
        <translation>&amp;Eigener Plan</translation>
    </message>
    <message>
        <source>Custom plan</source>
        <translation>Eigener Plan</translation>
    </message>
    <message>
        <source>Phases PERCENT:HOLD or segment=NAME:HOLD, comma-separated; the last needs no hold. Durations: s, m, h, d.</source>
        <translation>Phasen PROZENT:HALTEZEIT oder segment=NAME:HALTEZEIT, durch Kommas getrennt; die letzte braucht keine Haltezeit. Dauern: s, m, h, d.</translation>
    </message>
    <message>
        <source>Phases of the plan</source>
        <translation>Phasen des Plans</translation>
    </message>
    <message>
        <source>Phases:</source>
        <translation>Phasen:</translation>
    </message>
    <message>
        <source>Problem with the plan</source>
        <translation>Problem mit dem Plan</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Optional: why (kept in the audit log and the ledger)</source>
        <translation>Optional: warum (wird im Audit-Protokoll und im Entscheidungsprotokoll gespeichert)</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Grund:</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Enter a plan such as 5:24h,25:48h,50:72h,100.</source>
        <translation>Geben Sie einen Plan ein, etwa 5:24h,25:48h,50:72h,100.</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>This workspace has no flags yet. Create a flag first.</source>
        <translation>Dieser Arbeitsbereich hat noch keine Flags. Legen Sie zuerst ein Flag an.</translation>
    </message>
    <message>
        <source>Started the rollout of %1 at %2.</source>
        <translation>Rollout von %1 bei %2 gestartet.</translation>
    </message>
</context>
<context>
    <name>sp::SyncView</name>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Could not start a browser. Open this address to sign in: %1</source>
        <translation>Es konnte kein Browser gestartet werden. Öffnen Sie diese Adresse, um sich anzumelden: %1</translation>
    </message>
    <message>
        <source>Signed in to Google as %1.</source>
        <translation>Bei Google angemeldet als %1.</translation>
    </message>
    <message>
        <source>Google sign-in cancelled.</source>
        <translation>Google-Anmeldung abgebrochen.</translation>
    </message>
    <message>
        <source>Sync configs</source>
        <translation>Sync-Konfigurationen</translation>
    </message>
    <message>
        <source>Config</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Flag</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Last run</source>
        <translation>Letzter Lauf</translation>
    </message>
    <message>
        <source>No sync configs yet.
Add one with `syncpilot-cli sync config add NAME --flag KEY --source csv:PATH --target ID=dtcg:PATH`; it shows up here at once.</source>
        <translation>Noch keine Sync-Konfigurationen.
Legen Sie eine an mit `syncpilot-cli sync config add NAME --flag KEY --source csv:PATH --target ID=dtcg:PATH`; sie erscheint sofort hier.</translation>
    </message>
    <message>
        <source>Rehearsal banner</source>
        <translation>Probelauf-Hinweis</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>Sign in with Google</source>
        <translation>Mit Google anmelden</translation>
    </message>
    <message>
        <source>Cancel sign-in</source>
        <translation>Anmeldung abbrechen</translation>
    </message>
    <message>
        <source>Google:</source>
        <translation>Google:</translation>
    </message>
    <message>
        <source>legacy</source>
        <translation>legacy</translation>
    </message>
    <message>
        <source>hybrid</source>
        <translation>hybrid</translation>
    </message>
    <message>
        <source>sync</source>
        <translation>sync</translation>
    </message>
    <message>
        <source>legacy: full replace of every target; hybrid: legacy is written and the sync path is computed and compared; sync: targets the flag turns on get only the changes</source>
        <translation>legacy: vollständiges Ersetzen jedes Ziels; hybrid: legacy wird geschrieben und der Sync-Pfad wird berechnet und verglichen; sync: Ziele, die das Flag einschaltet, erhalten nur die Änderungen</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Modus:</translation>
    </message>
    <message>
        <source>Why the mode cannot be chosen</source>
        <translation>Warum der Modus nicht gewählt werden kann</translation>
    </message>
    <message>
        <source>Preview run</source>
        <translation>Vorschau-Lauf</translation>
    </message>
    <message>
        <source>Read, map and show the changes each target would get; nothing is written.</source>
        <translation>Lesen, zuordnen und die Änderungen zeigen, die jedes Ziel erhalten würde; es wird nichts geschrieben.</translation>
    </message>
    <message>
        <source>Run now</source>
        <translation>Jetzt ausführen</translation>
    </message>
    <message>
        <source>Run the sync now and write every target on its path (Ctrl+R).</source>
        <translation>Den Sync jetzt ausführen und jedes Ziel auf seinem Pfad schreiben (Ctrl+R).</translation>
    </message>
    <message>
        <source>Read source again</source>
        <translation>Quelle neu lesen</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <source>Result of the last run</source>
        <translation>Ergebnis des letzten Laufs</translation>
    </message>
    <message>
        <source>This config has no targets yet. Add one with `syncpilot-cli sync target add CONFIG ID=dtcg:PATH`.</source>
        <translation>Diese Konfiguration hat noch keine Ziele. Fügen Sie eines hinzu mit `syncpilot-cli sync target add CONFIG ID=dtcg:PATH`.</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Path now</source>
        <translation>Pfad jetzt</translation>
    </message>
    <message>
        <source>Last path</source>
        <translation>Letzter Pfad</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Undo last write</source>
        <translation>Letzten Schreibvorgang rückgängig machen</translation>
    </message>
    <message>
        <source>Put back what the selected target held before SyncPilot&apos;s last write (undo again to redo).</source>
        <translation>Wiederherstellen, was das ausgewählte Ziel vor dem letzten Schreibvorgang von SyncPilot enthielt (erneut rückgängig machen zum Wiederholen).</translation>
    </message>
    <message>
        <source>Mapping preview</source>
        <translation>Vorschau der Zuordnung</translation>
    </message>
    <message>
        <source>Mapping problems</source>
        <translation>Probleme bei der Zuordnung</translation>
    </message>
    <message>
        <source>Press &quot;Preview run&quot; to see what each target would get: the variables created, updated and deleted. Nothing is written.</source>
        <translation>Klicken Sie auf „Vorschau-Lauf“, um zu sehen, was jedes Ziel erhalten würde: die erstellten, aktualisierten und gelöschten Variablen. Es wird nichts geschrieben.</translation>
    </message>
    <message>
        <source>Run preview</source>
        <translation>Vorschau des Laufs</translation>
    </message>
    <message>
        <source>Target / change</source>
        <translation>Ziel / Änderung</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>Inject failures</source>
        <translation>Fehler einspeisen</translation>
    </message>
    <message>
        <source>Failures injected into the sync path</source>
        <translation>In den Sync-Pfad eingespeiste Fehler</translation>
    </message>
    <message>
        <source>Rehearse a guardrail trip and a rollback without breaking anything real: the sync path of the chosen targets fails, slows down or meets 429 responses on purpose. Every run record, the audit log and this view say &quot;rehearsal&quot; while it is on.</source>
        <translation>Proben Sie das Auslösen einer Guardrail und einen Rollback, ohne etwas Echtes zu beschädigen: Der Sync-Pfad der gewählten Ziele schlägt absichtlich fehl, wird langsamer oder erhält 429-Antworten. Jeder Laufdatensatz, das Audit-Protokoll und diese Ansicht zeigen „Probelauf“, solange er aktiv ist.</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source>Added latency</source>
        <translation>Zusätzliche Latenz</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>429 rate</source>
        <translation>429-Quote</translation>
    </message>
    <message>
        <source>Rehearsal targets</source>
        <translation>Ziele des Probelaufs</translation>
    </message>
    <message>
        <source>all targets (or target ids separated by commas)</source>
        <translation>alle Ziele (oder durch Kommas getrennte Ziel-IDs)</translation>
    </message>
    <message>
        <source>Error rate:</source>
        <translation>Fehlerquote:</translation>
    </message>
    <message>
        <source>Added latency:</source>
        <translation>Zusätzliche Latenz:</translation>
    </message>
    <message>
        <source>429 rate:</source>
        <translation>429-Quote:</translation>
    </message>
    <message>
        <source>Targets:</source>
        <translation>Ziele:</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>End rehearsal</source>
        <translation>Probelauf beenden</translation>
    </message>
    <message>
        <source>never run</source>
        <translation>nie gelaufen</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>Loading sync configs…</source>
        <translation>Sync-Konfigurationen werden geladen…</translation>
    </message>
    <message numerus="yes">
        <source>%1 — flag %2, %n target(s)</source>
        <translation>
            <numerusform>%1 — Flag %2, %n Ziel</numerusform>
            <numerusform>%1 — Flag %2, %n Ziele</numerusform>
        </translation>
    </message>
    <message>
        <source>Sync path off: %1</source>
        <translation>Sync-Pfad aus: %1</translation>
    </message>
    <message>
        <source>CSV file %1</source>
        <translation>CSV-Datei %1</translation>
    </message>
    <message>
        <source>Google spreadsheet %1 (first sheet)</source>
        <translation>Google-Tabelle %1 (erstes Blatt)</translation>
    </message>
    <message>
        <source>Google spreadsheet %1, %2</source>
        <translation>Google-Tabelle %1, %2</translation>
    </message>
    <message numerus="yes">
        <source>Switch to hybrid to start proving the sync path (%n consistent run(s) needed).</source>
        <translation>
            <numerusform>Wechseln Sie in den Hybridmodus, um den Sync-Pfad zu erproben (%n konsistenter Lauf nötig).</numerusform>
            <numerusform>Wechseln Sie in den Hybridmodus, um den Sync-Pfad zu erproben (%n konsistente Läufe nötig).</numerusform>
        </translation>
    </message>
    <message>
        <source>Hybrid proof: %1 of %2 consistent runs in a row; %3 mismatching in a row.</source>
        <translation>Hybrid-Nachweis: %1 von %2 konsistenten Läufen in Folge; %3 abweichend in Folge.</translation>
    </message>
    <message>
        <source>DTCG file</source>
        <translation>DTCG-Datei</translation>
    </message>
    <message>
        <source>Figma file</source>
        <translation>Figma-Datei</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Waiting for the browser… Finish signing in there, or cancel.</source>
        <translation>Warten auf den Browser… Schließen Sie die Anmeldung dort ab oder brechen Sie ab.</translation>
    </message>
    <message>
        <source>Not needed for a CSV source (not signed in).</source>
        <translation>Für eine CSV-Quelle nicht nötig (nicht angemeldet).</translation>
    </message>
    <message>
        <source>Not needed for a CSV source (signed in as %1).</source>
        <translation>Für eine CSV-Quelle nicht nötig (angemeldet als %1).</translation>
    </message>
    <message>
        <source>Not signed in: sign in to read this spreadsheet.</source>
        <translation>Nicht angemeldet: Melden Sie sich an, um diese Tabelle zu lesen.</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>Angemeldet als %1</translation>
    </message>
    <message>
        <source>Sign in again</source>
        <translation>Erneut anmelden</translation>
    </message>
    <message>
        <source>The workspace is read-only.</source>
        <translation>Der Arbeitsbereich ist schreibgeschützt.</translation>
    </message>
    <message>
        <source>Sign in with Google to see this spreadsheet and its mapping.</source>
        <translation>Melden Sie sich mit Google an, um diese Tabelle und ihre Zuordnung zu sehen.</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <source>The source of %1 could not be read: %2</source>
        <translation>Die Quelle von %1 konnte nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>The source is empty.</source>
        <translation>Die Quelle ist leer.</translation>
    </message>
    <message>
        <source>The source is empty: %1</source>
        <translation>Die Quelle ist leer: %1</translation>
    </message>
    <message numerus="yes">
        <source>No problems: %n row(s) map to variables.</source>
        <translation>
            <numerusform>Keine Probleme: %n Zeile wird Variablen zugeordnet.</numerusform>
            <numerusform>Keine Probleme: %n Zeilen werden Variablen zugeordnet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n variable(s) would be written.</source>
        <translation>
            <numerusform>%n Variable würde geschrieben.</numerusform>
            <numerusform>%n Variablen würden geschrieben.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s): nothing is written until the sheet is fixed. Click a problem to see its cell.</source>
        <translation>
            <numerusform>%n Problem: Es wird nichts geschrieben, bis die Tabelle korrigiert ist. Klicken Sie auf ein Problem, um seine Zelle zu sehen.</numerusform>
            <numerusform>%n Probleme: Es wird nichts geschrieben, bis die Tabelle korrigiert ist. Klicken Sie auf ein Problem, um seine Zelle zu sehen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more problem(s).</source>
        <translation>
            <numerusform>… und %n weiteres Problem.</numerusform>
            <numerusform>… und %n weitere Probleme.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 mode is not allowed yet: %2</source>
        <translation>Modus %1 ist noch nicht erlaubt: %2</translation>
    </message>
    <message>
        <source>%1 switched to %2 mode.</source>
        <translation>%1 in den Modus %2 umgeschaltet.</translation>
    </message>
    <message>
        <source>Running %1…</source>
        <translation>%1 wird ausgeführt…</translation>
    </message>
    <message>
        <source>Run now in the Sync view</source>
        <translation>„Jetzt ausführen“ in der Sync-Ansicht</translation>
    </message>
    <message>
        <source>Previewing %1…</source>
        <translation>Vorschau für %1…</translation>
    </message>
    <message>
        <source>Preview run in the Sync view</source>
        <translation>„Vorschau-Lauf“ in der Sync-Ansicht</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Preview of %1 (mode %2): %3 row(s) → %4 variable(s); %5 of %6 target(s) would change. Nothing was written.</source>
        <translation>Vorschau von %1 (Modus %2): %3 Zeile(n) → %4 Variable(n); %5 von %6 Ziel(en) würden sich ändern. Es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>%1 ran in mode %2: %3 row(s) → %4 variable(s); %5 of %6 target(s) written, %7 failed (%8 ms).</source>
        <translation>%1 lief im Modus %2: %3 Zeile(n) → %4 Variable(n); %5 von %6 Ziel(en) geschrieben, %7 fehlgeschlagen (%8 ms).</translation>
    </message>
    <message>
        <source>Sync path switched off: %1.</source>
        <translation>Sync-Pfad abgeschaltet: %1.</translation>
    </message>
    <message>
        <source>[rehearsal: %1]</source>
        <translation>[Probelauf: %1]</translation>
    </message>
    <message>
        <source>Source / mapping</source>
        <translation>Quelle / Zuordnung</translation>
    </message>
    <message>
        <source>failed (%1): %2</source>
        <translation>fehlgeschlagen (%1): %2</translation>
    </message>
    <message>
        <source>no change</source>
        <translation>keine Änderung</translation>
    </message>
    <message>
        <source>%1 created, %2 updated, %3 deleted</source>
        <translation>%1 erstellt, %2 aktualisiert, %3 gelöscht</translation>
    </message>
    <message>
        <source>unchanged since the last sync</source>
        <translation>unverändert seit dem letzten Sync</translation>
    </message>
    <message numerus="yes">
        <source>; %n mismatching variable(s): </source>
        <translation>
            <numerusform>; %n abweichende Variable: </numerusform>
            <numerusform>; %n abweichende Variablen: </numerusform>
        </translation>
    </message>
    <message>
        <source>; %1 retries, %2 × 429</source>
        <translation>; %1 Wiederholungen, %2 × 429</translation>
    </message>
    <message>
        <source>Undoing the last write to %1…</source>
        <translation>Der letzte Schreibvorgang in %1 wird rückgängig gemacht…</translation>
    </message>
    <message>
        <source>Undo in the Sync view</source>
        <translation>Rückgängig in der Sync-Ansicht</translation>
    </message>
    <message>
        <source>Target %1 of %2 restored to its content before the last write.</source>
        <translation>Ziel %1 von %2 auf seinen Inhalt vor dem letzten Schreibvorgang zurückgesetzt.</translation>
    </message>
    <message>
        <source>%1 % injected errors</source>
        <translation>%1 % eingespeiste Fehler</translation>
    </message>
    <message>
        <source>+%1 ms latency</source>
        <translation>+%1 ms Latenz</translation>
    </message>
    <message>
        <source>%1 % 429 responses</source>
        <translation>%1 % 429-Antworten</translation>
    </message>
    <message>
        <source>no failures set</source>
        <translation>keine Fehler festgelegt</translation>
    </message>
    <message>
        <source>all targets</source>
        <translation>alle Ziele</translation>
    </message>
    <message>
        <source>targets %1</source>
        <translation>Ziele %1</translation>
    </message>
    <message>
        <source>Rehearsal: %1 on %2</source>
        <translation>Probelauf: %1 auf %2</translation>
    </message>
    <message>
        <source>Targets: %1 has no target %2. Leave the field empty for all targets.</source>
        <translation>Ziele: %1 hat kein Ziel %2. Lassen Sie das Feld leer für alle Ziele.</translation>
    </message>
    <message>
        <source>Error rate, added latency and 429 rate are all zero: set at least one, or end the rehearsal.</source>
        <translation>Fehlerquote, zusätzliche Latenz und 429-Quote sind alle null: Legen Sie mindestens einen Wert fest oder beenden Sie den Probelauf.</translation>
    </message>
    <message>
        <source>Rehearsal set in the Sync view</source>
        <translation>Probelauf in der Sync-Ansicht festgelegt</translation>
    </message>
    <message>
        <source>Applied.</source>
        <translation>Angewendet.</translation>
    </message>
    <message>
        <source>Rehearsal ended in the Sync view</source>
        <translation>Probelauf in der Sync-Ansicht beendet</translation>
    </message>
    <message>
        <source>Rehearsal ended.</source>
        <translation>Probelauf beendet.</translation>
    </message>
</context>
<context>
    <name>sp::net::HttpClient</name>
    <message>
        <source>connection refused</source>
        <translation>Verbindung abgelehnt</translation>
    </message>
    <message>
        <source>connection reset</source>
        <translation>Verbindung zurückgesetzt</translation>
    </message>
    <message>
        <source>host not found</source>
        <translation>Host nicht gefunden</translation>
    </message>
    <message>
        <source>request cancelled</source>
        <translation>Anfrage abgebrochen</translation>
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
        <source>the answer broke the HTTP protocol</source>
        <translation>die Antwort verletzt das HTTP-Protokoll</translation>
    </message>
    <message>
        <source>network error %1</source>
        <translation>Netzwerkfehler %1</translation>
    </message>
    <message>
        <source>%1; the circuit breaker for %2 is now open, so it was not retried</source>
        <translation>%1; der Schutzschalter für %2 ist jetzt offen, daher kein erneuter Versuch</translation>
    </message>
    <message>
        <source>%1: circuit breaker half-open after repeated failures; not sent while a probe request is under way</source>
        <translation>%1: Schutzschalter nach wiederholten Fehlern halb offen; nicht gesendet, solange eine Testanfrage läuft</translation>
    </message>
    <message>
        <source>%1: circuit breaker open after repeated failures; not sent, the next probe goes in %2 s</source>
        <translation>%1: Schutzschalter nach wiederholten Fehlern offen; nicht gesendet, die nächste Testanfrage folgt in %2 s</translation>
    </message>
    <message>
        <source>%1: not signed in: %2</source>
        <translation>%1: nicht angemeldet: %2</translation>
    </message>
    <message>
        <source>%1: no complete answer within %2 s (timeout)</source>
        <translation>%1: keine vollständige Antwort innerhalb von %2 s (Zeitüberschreitung)</translation>
    </message>
    <message>
        <source>%1: the connection timed out</source>
        <translation>%1: Zeitüberschreitung der Verbindung</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: the connection was cut after %2 of %3 bytes of the answer</source>
        <translation>%1: die Verbindung wurde nach %2 von %3 Bytes der Antwort unterbrochen</translation>
    </message>
    <message>
        <source>%1: not authorised (401) even after refreshing the sign-in</source>
        <translation>%1: nicht autorisiert (401), auch nach dem Aktualisieren der Anmeldung</translation>
    </message>
    <message>
        <source>%1: not authorised (401)</source>
        <translation>%1: nicht autorisiert (401)</translation>
    </message>
    <message>
        <source>%1: access denied (403)</source>
        <translation>%1: Zugriff verweigert (403)</translation>
    </message>
    <message>
        <source>%1: rate limited (429)</source>
        <translation>%1: Ratenbegrenzung erreicht (429)</translation>
    </message>
    <message>
        <source>%1: server error (%2)</source>
        <translation>%1: Serverfehler (%2)</translation>
    </message>
    <message>
        <source>%1: request rejected (%2)</source>
        <translation>%1: Anfrage abgelehnt (%2)</translation>
    </message>
    <message>
        <source>%1: answered %2 but the body is not JSON (malformed)</source>
        <translation>%1: antwortete mit %2, aber der Inhalt ist kein JSON (malformed)</translation>
    </message>
    <message>
        <source>%1; not resent: the request may have been applied</source>
        <translation>%1; nicht erneut gesendet: die Anfrage wurde möglicherweise bereits ausgeführt</translation>
    </message>
    <message numerus="yes">
        <source>%1, gave up after %n attempt(s)</source>
        <translation>
            <numerusform>%1, nach %n Versuch aufgegeben</numerusform>
            <numerusform>%1, nach %n Versuchen aufgegeben</numerusform>
        </translation>
    </message>
    <message>
        <source>%1; the server asks to wait %2 s, longer than the %3 s allowed, so it was not retried</source>
        <translation>%1; der Server verlangt %2 s Wartezeit, mehr als die erlaubten %3 s, daher kein erneuter Versuch</translation>
    </message>
</context>
</TS>
