"""Terminal configuration: one TOML file, read once at start-up, passed down as frozen dataclasses.

Every key has a documented default (see `assets/config/kiosk.toml`, which lists them all); an unknown key, a
value of the wrong type or a value outside a key's closed set (`Literal[...]`) is a `ConfigError` naming the
key, so a typo never silently falls back to a default. Whether a configuration that loads is also safe to put
in front of citizens (a real reader needs a trust store and a real face check) is `kiosk.deployment_check`'s job.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.errors import ConfigError


@dataclass(frozen=True)
class TerminalConfig:
    kiosk_id: str = "demo-kiosk"  # the name the district knows this terminal by
    data_dir: Path = Path("data")  # database, keys, logs, spooled documents, catalog
    district_url: str = "http://127.0.0.1:8470"  # https off loopback (plain http only to 127.0.0.1 / ::1)
    district_ca: Path | None = None  # the district's CA certificate (PEM), pinned for https; given at provisioning
    district_name: str = "上城区"  # shown on screens and documents
    office_name: str = "上城区政务服务中心"  # issuing office on certificates
    language: Literal["zh_CN", "en"] = "zh_CN"  # default language of every new session: zh_CN | en
    demo: bool = False  # demo mode: simulated devices beside a real reader, chips of unknown issuers; shows DEMO
    staffed_counter: str = "上城区政务服务中心一楼综合窗口"  # where citizens are sent when this terminal is out of service


@dataclass(frozen=True)
class DevicesConfig:
    document_reader: Literal["simulated", "pcsc"] = "simulated"  # simulated | pcsc
    camera: Literal["simulated", "opencv"] = "simulated"  # simulated | opencv
    face: Literal["simulated", "dlib"] = "simulated"  # simulated | dlib (pcsc needs dlib unless demo)
    printer: Literal["pdf-folder", "cups"] = "pdf-folder"  # pdf-folder | cups (pcsc needs cups unless demo)
    receipt_printer: Literal["none", "escpos"] = "none"  # none | escpos (none: receipts as a small PDF on the A4)


@dataclass(frozen=True)
class SimulatedConfig:
    identity_file: Path | None = None  # JSON with the fields of `kiosk card read --json`; None: the demo identity
    photo_file: Path | None = None  # the simulated holder's photo; None: the project's own drawn demo portrait
    camera_source: str = ""  # image, video file or folder of frames played as the camera; "" = demo portrait
    read_delay_s: float = 1.2  # how long the simulated reader pretends to read
    face_delay_s: float = 1.5  # how long the simulated face check takes
    face_result: Literal["match", "mismatch", "no-face"] = "match"  # match | mismatch | no-face
    print_delay_s: float = 0.8


@dataclass(frozen=True)
class DocumentConfig:
    reader_name: str = ""  # PC/SC reader to use; "" = the first reader with a card
    trust_store: Path | None = None  # folder of CSCA certificates (DER/PEM) and master lists; pcsc needs one
    block_invalid: bool = True  # passive authentication INVALID ends the session
    block_unknown_issuer: bool = True  # UNKNOWN_ISSUER ends the session; false is allowed only in demo mode
    require_chip: Literal["none", "chip_auth", "active_auth", "either"] = "none"  # none | chip_auth | active_auth | either


@dataclass(frozen=True)
class FaceConfig:
    camera_index: int = 0
    camera_source: str = ""  # a file, folder or URL instead of a device index
    threshold: float = 0.515  # face distance at or below which a match is accepted (see docs/face-threshold.md)
    retry_band: float = 0.05  # distances in (threshold, threshold + band] ask for another attempt
    min_face_px: int = 120
    max_attempts: int = 3
    liveness: bool = True
    liveness_step_s: float = 8.0  # time allowed for each head turn of the liveness challenge


@dataclass(frozen=True)
class PrinterConfig:
    cups_queue: str = "kiosk-a4"
    cups_server: str = ""  # "" = the default (CUPS_SERVER or the local socket)
    job_timeout_s: float = 120.0
    escpos_host: str = "127.0.0.1"
    escpos_port: int = 9100
    pdf_folder: Path | None = None  # pdf-folder printer output; None = <data_dir>/printed
    spool_ttl_s: float = 86400.0  # an unprinted document is kept (in <data_dir>/spool) this long, then deleted
    reprint_window_s: float = 300.0  # a printed document stays on disk for "reprint" this long
    spool_purge_interval_s: float = 60.0  # how often expired and orphan spool files are deleted
    cups_poll_s: float = 0.2  # how often a CUPS job's state is polled while the citizen waits


@dataclass(frozen=True)
class SessionConfig:
    inactivity_s: float = 60.0  # idle time before "Are you still there?"
    warning_s: float = 15.0  # countdown shown before the session is ended
    done_return_s: float = 20.0  # the Done screen returns to Attract after this long
    assisted_wait_s: float = 300.0  # how long a citizen waits for staff to verify them in person (countdown)
    assisted_poll_s: float = 2.0  # how often the terminal asks the district for staff's decision meanwhile


@dataclass(frozen=True)
class UiConfig:
    fullscreen: bool = True  # kiosk mode: frameless, fullscreen, no keyboard escape
    dpi: float = 96.0  # physical DPI of the touchscreen, for 15 mm touch targets
    min_touch_mm: float = 15.0
    base_font_pt: int = 22  # large text for elderly citizens
    voice: bool = True  # spoken guidance through espeak-ng when it is installed


@dataclass(frozen=True)
class EldersConfig:
    font_scale: float = 1.5  # 长辈版 type size, times [ui] base_font_pt (MIIT 2021: main text >= 18 dp)
    min_touch_mm: float = 20.0  # smallest touch target of the elders' mode (MIIT: >= 60 x 60 dp)
    page_size: int = 4  # services per page of the elders' menu (with Previous/Next: at most six choices)
    text: str = "#000000"  # palette: every text pair below is >= 7:1 (WCAG 1.4.6 AAA)
    background: str = "#ffffff"  # page and button background
    accent: str = "#00305f"  # bars and primary buttons (white text on it)
    error: str = "#8a0000"  # errors: text and a thick border on the background, never colour alone
    notice: str = "#004d12"  # notices (a kind outcome), same form as errors
    speech_words_per_minute: int = 120  # slower than the normal guidance voice
    speech_amplitude: int = 100  # espeak-ng amplitude (0-200) a session starts at; reset after every session
    speech_amplitude_step: int = 30  # one tap on louder/quieter
    speech_sink: str = "device"  # device: the sound card; null: synthesise and discard (test rigs, the bench)


@dataclass(frozen=True)
class SyncConfig:
    interval_s: float = 5.0  # outbox drain poll
    heartbeat_s: float = 5.0  # its answer names the published catalog: a new one is fetched within ~5 s
    catalog_poll_s: float = 60.0
    batch_size: int = 100
    retention_days: int = 30
    dead_letter_retention_days: int = 30  # then a dead letter's payload (personal data) is erased; metadata stays
    backoff_base_s: float = 1.0  # first retry delay after a failed send (doubles, with jitter)
    backoff_cap_s: float = 30.0  # longest wait between retries while the district is unreachable
    request_timeout_s: float = 10.0  # per request of the sync daemon


@dataclass(frozen=True)
class CatalogConfig:
    path: Path | None = None  # None = the active catalog in <data_dir>/catalog, else the shipped one


@dataclass(frozen=True)
class ServiceConfig:
    disk_reserve_mb: int = 64  # below this much free space in the data folder no new session starts
    max_clock_skew_s: float = 300.0  # kiosk clock vs the district's beyond this: out of service (request window)
    require_reader: bool = True  # no card reader: out of service
    require_printer: bool = True  # printer in error or gone: out of service
    check_interval_s: float = 10.0  # how often a start-up out-of-service screen looks at its cause again
    database_check_s: float = 60.0  # how often the running shell quick-checks its database between sessions


@dataclass(frozen=True)
class MaintenanceConfig:
    hour: int = 3  # local hour (0-23) of the daily maintenance, run when no citizen is at the terminal
    vacuum_freelist_ratio: float = 0.25  # VACUUM when this share of the database's pages is free
    log_max_mb: int = 20  # a log file past this size is rotated
    log_keep: int = 5  # rotated logs kept per file (the oldest beyond are deleted)


@dataclass(frozen=True)
class UpdatesConfig:
    incoming: Path | None = None  # where the sync daemon leaves verified software packages; None: no updates
    releases: Path | None = None  # the installed versions (read for versions refused after a failed gate)
    apply_hold_s: float = 120.0  # after asking for an update between sessions, no session starts this long


@dataclass(frozen=True)
class Config:
    terminal: TerminalConfig = field(default_factory=TerminalConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    simulated: SimulatedConfig = field(default_factory=SimulatedConfig)
    document: DocumentConfig = field(default_factory=DocumentConfig)
    face: FaceConfig = field(default_factory=FaceConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    elders: EldersConfig = field(default_factory=EldersConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    catalog: CatalogConfig = field(default_factory=CatalogConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    maintenance: MaintenanceConfig = field(default_factory=MaintenanceConfig)
    updates: UpdatesConfig = field(default_factory=UpdatesConfig)

    @property
    def data_dir(self) -> Path:
        return self.terminal.data_dir

    @property
    def blocks_unknown_issuer(self) -> bool:
        """Whether UNKNOWN_ISSUER ends the session: always, unless demo mode turned the block off."""
        return self.document.block_unknown_issuer or not self.terminal.demo


def load_config(path: Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    """Read the TOML file at `path` (None: all defaults), apply `overrides` (section -> key -> value).

    Relative paths in the file are resolved against the file's folder. Raises ConfigError on unknown
    sections or keys and on values of the wrong type.
    """
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        base = Path(path).resolve().parent
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {}).update(values)
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Config)
    for name, value in raw.items():
        if name not in hints:
            raise ConfigError(f"unknown config section [{name}]")
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        sections[name] = _build(hints[name], value, name, base)
    return Config(**sections)


# Keys that were once read and are no longer: saying why beats a bare "unknown key" on an old config.
RETIRED_KEYS = {
    ("ui", "diagnostics_pin"): "the technicians' PIN is no longer a shared config value: set it on each kiosk "
                               "with `kiosk technician set-pin` (it is stored as a slow hash in the data folder)",
}


def _build(cls: type, values: dict[str, Any], section: str, base: Path) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if (section, key) in RETIRED_KEYS:
            raise ConfigError(f"[{section}] {key} is no longer read: {RETIRED_KEYS[section, key]}")
        if key not in hints:
            raise ConfigError(f"unknown key {key!r} in [{section}]")
        kwargs[key] = _coerce(hints[key], value, f"[{section}] {key}", base)
    return cls(**kwargs)


def _coerce(hint: Any, value: Any, where: str, base: Path) -> Any:
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        hint = args[0]
    if value is None or (optional and value == ""):
        if optional:
            return None
        raise ConfigError(f"{where} must not be empty")
    if typing.get_origin(hint) is Literal:
        allowed = typing.get_args(hint)
        if not isinstance(value, str) or value not in allowed:
            raise ConfigError(f"{where} must be one of {' | '.join(allowed)}, got {value!r}")
        return value
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a path string")
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, float, bool) and not (isinstance(value, hint) and
                                                  not (hint is int and isinstance(value, bool))):
        raise ConfigError(f"{where} must be {hint.__name__}, got {value!r}")
    return value


def with_data_dir(config: Config, data_dir: Path) -> Config:
    """A copy of `config` whose terminal data folder is `data_dir` (the `--data` option)."""
    return dataclasses.replace(config, terminal=dataclasses.replace(config.terminal, data_dir=data_dir))


def with_district(config: Config, url: str) -> Config:
    """A copy of `config` pointing at another district server (the `--district` option)."""
    return dataclasses.replace(config, terminal=dataclasses.replace(config.terminal, district_url=url))
