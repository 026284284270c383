//! Command line: flags (clap derive) → a resolved [`RunConfig`], dispatch, exit codes.
//!
//! Parses arguments, sets up logging on stderr, runs the requested command and maps its
//! result to the exit codes of `docs/cli.md`. A panic is caught and reported as an internal
//! error (exit 1) rather than a Rust backtrace. No pipeline logic lives here.

use crate::app;
use crate::config::{self, Lang, Period, RunConfig};
use crate::error::{Error, ExitCode, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "cseval",
    version,
    about = "Evaluate an outsourced customer-service provider against its contract"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
    /// Print only errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Compute the KPIs, score them against the contract and write the report.
    Run(RunArgs),
    /// Read and check every input and the contract; write nothing.
    Validate(RunArgs),
    /// Convert exports (through their mapping profiles) into canonical Parquet, one file
    /// per month, which `run` reads back without parsing text.
    Convert(ConvertArgs),
    /// Write deterministic synthetic exports (an express-courier service centre).
    Sample(SampleArgs),
    /// Write a starter contract, calendar and mapping profile to edit.
    Init(InitArgs),
    /// Recompute a report folder (or draw a plan folder again) from its manifest and
    /// compare it byte for byte.
    Verify(VerifyArgs),
    /// Draw a sampling plan for recording inspections or call-back surveys from a period's
    /// contact log: sized for a confidence and margin, stratified, seeded.
    Plan(PlanArgs),
}

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    /// The contact log and contract, as for `run` (`--out` is the plan's folder).
    #[command(flatten)]
    pub input: RunArgs,
    /// Confidence level of the margin.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Margin of error of a rate measured on the sample (0.05 for ±5 %).
    #[arg(long, default_value_t = 0.05)]
    pub margin: f64,
    /// The rate expected (0.5 when unknown: the largest sample).
    #[arg(long, default_value_t = 0.5)]
    pub expected: f64,
    /// pooled (n over the whole frame, shared in proportion), per-stratum (n within each
    /// stratum), a number per stratum (20) or a percentage (5%).
    #[arg(long, default_value = "pooled")]
    pub size: String,
    /// Strata, comma-separated: channel, agent, day-type, hour-band.
    #[arg(long, default_value = "")]
    pub stratify: String,
    /// Include contacts never answered (default: answered ones only, as recordings need).
    #[arg(long)]
    pub all_contacts: bool,
    /// Only contacts handled for at least this many seconds.
    #[arg(long)]
    pub min_handle_seconds: Option<f64>,
    /// Only these channels (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub channels: Vec<String>,
    /// Draw some contacts more often: complaints=3, urgent=2, agent:A017=2.
    #[arg(long)]
    pub oversample: Vec<String>,
    /// Seed of the draw: the same seed draws the same contacts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct ConvertArgs {
    /// The inputs and contract, as for `run` (the contract gives the time zone and scale).
    #[command(flatten)]
    pub input: RunArgs,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// A report folder written by `cseval run`.
    pub dir: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// Folder to create the files in.
    pub dir: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Contract template (TOML).
    #[arg(long)]
    pub contract: PathBuf,
    /// Contact logs: files, directories or globs.
    #[arg(long, num_args = 1.., required_unless_present = "surveys")]
    pub calls: Vec<PathBuf>,
    /// Survey responses: files, directories or globs.
    #[arg(long, num_args = 1..)]
    pub surveys: Vec<PathBuf>,
    /// Mapping profile for the contact logs (TOML; default: canonical column names).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Mapping profile for the surveys.
    #[arg(long)]
    pub survey_mapping: Option<PathBuf>,
    /// Quality inspections (sampled recordings, mystery shoppers): files, directories or globs.
    #[arg(long, num_args = 1..)]
    pub inspections: Vec<PathBuf>,
    /// Mapping profile for the quality inspections.
    #[arg(long)]
    pub inspection_mapping: Option<PathBuf>,
    /// Incidents for the contract's scoring sheet (CSV: date, class, description, clause,
    /// site; docs/scoring.md).
    #[arg(long)]
    pub incidents: Option<PathBuf>,
    /// Scores of items judged off-line, for the scoring sheet (CSV: indicator, points,
    /// source, site).
    #[arg(long)]
    pub scores: Option<PathBuf>,
    /// A sampling plan (`plan.csv` of `cseval plan`) the inspections are checked against.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Which reports to write: monthly (the full evaluation), weekly and/or daily summaries,
    /// comma-separated (e.g. monthly,weekly,daily for a month and its summaries in one pass).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "monthly")]
    pub cadence: Vec<config::Cadence>,
    /// Evaluation period: a month YYYY-MM (default: the month of the latest contact), or a
    /// quarter YYYY-Qn or a year YYYY as one report.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// First day of a range of months (YYYY-MM-DD); one report per month.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Day after the range ends, exclusive (YYYY-MM-DD).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Folder with earlier periods' metrics.json (the reports folder itself works).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Report language.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Output folder (default: reports/<contract id>/<period>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing report.
    #[arg(long)]
    pub force: bool,
    /// Exit with code 4 when the report was written but an SLA was missed.
    #[arg(long)]
    pub fail_on_breach: bool,
    /// Largest input file read, in MiB.
    #[arg(long, default_value_t = 4096)]
    pub max_input_mb: u64,
    /// Largest uncompressed size a workbook may declare, in MiB (zip-bomb guard).
    #[arg(long, default_value_t = 8192)]
    pub max_uncompressed_mb: u64,
    /// Read canonical files that have columns with other names, leaving those columns out
    /// (by default such a column is refused: it may be a misspelt canonical one).
    #[arg(long)]
    pub ignore_extra_columns: bool,
}

#[derive(Args, Debug, Clone)]
pub struct SampleArgs {
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Number of months.
    #[arg(long, default_value_t = 3)]
    pub months: u32,
    /// Contacts per month.
    #[arg(long, default_value_t = 3000)]
    pub contacts_per_month: u32,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// First month, YYYY-MM.
    #[arg(long, default_value = "2026-08")]
    pub start: String,
}

fn parse_day(s: &str, flag: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        Error::usage(format!("{flag} `{s}` is not a date")).with_hint("write dates as YYYY-MM-DD")
    })
}

/// Resolve flags and files into a run configuration.
pub fn resolve(a: &RunArgs, quiet: bool) -> Result<RunConfig> {
    let (mut contract, calendar) = config::load_contract(&a.contract)?;
    let calls = crate::ingest::expand_paths(&a.calls, "--calls")?;
    let load_profile = |p: &Option<PathBuf>, want: crate::config::profile::Records, flag: &str| {
        p.as_deref()
            .map(|p| {
                let prof = crate::config::profile::Profile::load(p)?;
                if prof.records != want {
                    return Err(Error::usage(format!(
                        "{flag} {}: the profile maps {:?}, not {want:?}",
                        p.display(),
                        prof.records
                    ))
                    .with_hint("pass contact profiles to --mapping, survey profiles to --survey-mapping and inspection profiles to --inspection-mapping"));
                }
                Ok(prof)
            })
            .transpose()
    };
    let mapping = load_profile(
        &a.mapping,
        crate::config::profile::Records::Contacts,
        "--mapping",
    )?;
    let survey_mapping = load_profile(
        &a.survey_mapping,
        crate::config::profile::Records::Surveys,
        "--survey-mapping",
    )?;
    let surveys = crate::ingest::expand_paths(&a.surveys, "--surveys")?;
    let inspection_mapping = load_profile(
        &a.inspection_mapping,
        crate::config::profile::Records::Inspections,
        "--inspection-mapping",
    )?;
    let inspections = crate::ingest::expand_paths(&a.inspections, "--inspections")?;
    let mut cadences = a.cadence.clone();
    cadences.sort();
    cadences.dedup();
    let period = a.period.as_deref().map(Period::parse).transpose()?;
    let range = match (&a.from, &a.to) {
        (Some(f), Some(t)) => {
            let (f, t) = (parse_day(f, "--from")?, parse_day(t, "--to")?);
            if f >= t {
                return Err(Error::usage("--from must be before --to"));
            }
            // One report per whole month: a span that starts or ends mid-month would be
            // widened silently to the months around it.
            if chrono::Datelike::day(&f) != 1 || chrono::Datelike::day(&t) != 1 {
                return Err(Error::usage(format!(
                    "--from {f} --to {t}: a range is evaluated month by month, so it must start and end on the first of a month"
                ))
                .with_hint("e.g. --from 2026-08-01 --to 2026-11-01 for August to October; for a span inside a month use --period with a week (2026-W42) or a day (2026-10-15), or --cadence daily"));
            }
            Some((f, t))
        }
        _ => None,
    };
    config::declare_profile_channels(
        &mut contract,
        [&mapping, &survey_mapping, &inspection_mapping],
    )?;
    if a.plan.is_some() && inspections.is_empty() {
        return Err(Error::usage(
            "--plan checks the inspections against a sampling plan: give them with --inspections",
        ));
    }
    let assessment = crate::config::assessment::Assessment::load(
        a.incidents.as_deref(),
        a.scores.as_deref(),
        a.plan.as_deref(),
        contract.scoring.as_ref(),
    )?;
    Ok(RunConfig {
        contract,
        assessment,
        calendar,
        calls,
        surveys,
        mapping,
        survey_mapping,
        inspections,
        inspection_mapping,
        cadences,
        period,
        range,
        lang: a.lang,
        out: a.out.clone(),
        force: a.force,
        fail_on_breach: a.fail_on_breach,
        history: a.history.clone(),
        ignore_extra_columns: a.ignore_extra_columns,
        quiet,
        progress: !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok()),
        limits: crate::config::read::Limits {
            max_file_bytes: a.max_input_mb.saturating_mul(1 << 20),
            max_uncompressed_bytes: a.max_uncompressed_mb.saturating_mul(1 << 20),
        },
    })
}

fn init_logging(quiet: bool, verbose: u8) {
    let level = if quiet {
        tracing::Level::ERROR
    } else {
        match verbose {
            0 => tracing::Level::WARN,
            1 => tracing::Level::INFO,
            _ => tracing::Level::DEBUG,
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        // Colour codes only on a terminal: a log file or cron's mail would carry them raw.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .try_init();
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        Cmd::Run(a) => app::run::run(&resolve(&a, cli.quiet)?),
        Cmd::Validate(a) => app::validate::validate(&resolve(&a, cli.quiet)?),
        Cmd::Verify(a) => app::verify::verify(&a.dir),
        Cmd::Plan(a) => {
            let cfg = resolve(&a.input, cli.quiet)?;
            let out = a.input.out.clone().ok_or_else(|| {
                Error::usage("cseval plan needs --out DIR: the folder the plan is written to")
            })?;
            let spec = crate::config::plan::PlanSpec {
                confidence: a.confidence,
                margin: a.margin,
                expected: a.expected,
                size: crate::config::plan::parse_size(&a.size)?,
                strata: crate::config::plan::parse_strata(&a.stratify)?,
                answered_only: !a.all_contacts,
                min_handle_seconds: a.min_handle_seconds,
                channels: a.channels.clone(),
                risks: a
                    .oversample
                    .iter()
                    .map(|r| crate::config::plan::parse_risk(r))
                    .collect::<Result<_>>()?,
                seed: a.seed,
            };
            app::plan::plan(&cfg, &spec, &out)
        }
        Cmd::Convert(a) => app::convert::convert(&resolve(&a.input, cli.quiet)?),
        Cmd::Init(a) => {
            app::init::write(&a.dir, a.force)?;
            Ok(ExitCode::Ok)
        }
        Cmd::Sample(a) => {
            let start = Period::parse_month(&a.start)?;
            app::sample::write(&a.out, start.start, a.months, a.contacts_per_month, a.seed)?;
            Ok(ExitCode::Ok)
        }
    }
}

/// Entry point: returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Usage as i32
            } else {
                0
            };
        }
    };
    init_logging(cli.quiet, cli.verbose);
    std::panic::set_hook(Box::new(|info| {
        // A parser failing on a damaged file is reported as that file's error.
        if !crate::ingest::panic_is_guarded() {
            eprintln!("error: internal error (a bug in cseval, please report it): {info}");
        }
    }));
    match std::panic::catch_unwind(|| dispatch(cli)) {
        Ok(Ok(code)) => code as i32,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            e.code as i32
        }
        Err(_) => ExitCode::Runtime as i32,
    }
}
