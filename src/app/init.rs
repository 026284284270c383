//! `cseval init DIR`: a starter contract template, business calendar and mapping profile,
//! with comments, for a user to edit. The files are the ones in `report-templates/init/`
//! and `report-templates/calendars/` (compiled in). Writes only these three files.

use crate::error::{io_err, Error, Result};
use std::path::Path;

const FILES: [(&str, &str); 3] = [
    (
        "contract.toml",
        include_str!("../../report-templates/init/contract.toml"),
    ),
    (
        "calendar.toml",
        include_str!("../../report-templates/calendars/cn-2026.toml"),
    ),
    (
        "mapping.toml",
        include_str!("../../report-templates/init/mapping.toml"),
    ),
];

pub fn write(dir: &Path, force: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "create the folder", e))?;
    if !force {
        if let Some((name, _)) = FILES.iter().find(|(n, _)| dir.join(n).exists()) {
            return Err(
                Error::usage(format!("{}: {name} already exists", dir.display()))
                    .with_hint("pass --force to replace the starter files"),
            );
        }
    }
    for (name, text) in FILES {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| io_err(&p, "write", e))?;
        println!("{}", p.display());
    }
    Ok(())
}
