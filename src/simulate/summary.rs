//! A simulation's summary as JSON, so that shards run on different machines can be merged
//! into the summary of the whole run (`resync-check merge`). It holds no timings: the same
//! walks give the same bytes.

use serde::{Deserialize, Serialize};

use crate::distinct::Distinct;
use crate::properties::PROPERTIES;
use crate::trace::{ModelInfo, Step};

use super::{Options, Policy, Shard, Summary, Tally};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    pub format_version: u32,
    pub tool: String,
    pub model: ModelInfo,
    /// The model file's description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The model file's script, if it had one: walks start after it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub script: Vec<Step>,
    pub seed: u64,
    pub runs: u64,
    pub steps: u64,
    pub policy: Policy,
    /// `I/N` for one shard's summary; absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub properties: Vec<String>,
    pub walks: u64,
    pub steps_taken: u64,
    /// HyperLogLog registers (see `distinct.rs`), hex.
    pub distinct_registers: String,
    pub tallies: Vec<TallyFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyFile {
    pub property: String,
    pub walks: u64,
    /// The lowest walks that hit the property, as [walk, step].
    pub first: Vec<[u64; 2]>,
}

impl SummaryFile {
    pub fn new(
        model: ModelInfo,
        description: Option<String>,
        script: Vec<Step>,
        properties: &[usize],
        options: &Options,
        summary: &Summary,
    ) -> SummaryFile {
        SummaryFile {
            format_version: FORMAT_VERSION,
            tool: crate::trace::tool(),
            model,
            description,
            script,
            seed: options.seed,
            runs: options.runs,
            steps: options.steps,
            policy: options.policy,
            shard: (options.shard != Shard::ALL)
                .then(|| format!("{}/{}", options.shard.index, options.shard.count)),
            properties: properties
                .iter()
                .map(|i| PROPERTIES[*i].name.to_string())
                .collect(),
            walks: summary.walks,
            steps_taken: summary.steps,
            distinct_registers: summary.distinct.to_hex(),
            tallies: properties
                .iter()
                .zip(&summary.tallies)
                .map(|(i, t)| TallyFile {
                    property: PROPERTIES[*i].name.to_string(),
                    walks: t.walks,
                    first: t.first.iter().map(|(w, s)| [*w, *s]).collect(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        crate::json::to_pretty(self)
    }

    pub fn from_json(text: &str) -> Result<SummaryFile, String> {
        let file: SummaryFile = crate::json::parse(text)?;
        if file.format_version != FORMAT_VERSION {
            return Err(format!(
                "format_version {} is not supported (this tool reads version {FORMAT_VERSION})",
                file.format_version
            ));
        }
        if file.tallies.len() != file.properties.len() {
            return Err("`tallies` and `properties` differ in length".to_string());
        }
        Ok(file)
    }

    /// The tallies as a [`Summary`].
    pub fn summary(&self) -> Result<Summary, String> {
        let distinct = Distinct::from_hex(&self.distinct_registers)
            .ok_or("`distinct_registers` is not 4096 hex bytes")?;
        Ok(Summary {
            walks: self.walks,
            steps: self.steps_taken,
            distinct,
            tallies: self
                .tallies
                .iter()
                .map(|t| Tally {
                    walks: t.walks,
                    first: t.first.iter().map(|[w, s]| (*w, *s)).collect(),
                })
                .collect(),
        })
    }

    /// Which shard this is.
    pub fn shard(&self) -> Result<Shard, String> {
        match &self.shard {
            None => Ok(Shard::ALL),
            Some(text) => Shard::parse(text),
        }
    }
}

/// Merges the summaries of the shards of one run into the summary of the whole run. They
/// must agree on everything but the shard, and be shards 0..N of N, each once.
pub fn merge(files: &[SummaryFile]) -> Result<SummaryFile, String> {
    let first = files.first().ok_or("nothing to merge")?;
    let count = first.shard()?.count;
    let mut seen = vec![false; count as usize];
    let mut total: Option<Summary> = None;
    for (n, file) in files.iter().enumerate() {
        let same = file.model == first.model
            && file.description == first.description
            && file.script == first.script
            && (file.seed, file.runs, file.steps, file.policy)
                == (first.seed, first.runs, first.steps, first.policy)
            && file.properties == first.properties;
        if !same {
            return Err(format!(
                "summary {} is of another run (model, script, seed, runs, steps, policy or \
                 properties differ from the first)",
                n + 1
            ));
        }
        let shard = file.shard()?;
        if shard.count != count {
            return Err(format!(
                "summary {} is shard {}/{}, the first is one of {count}",
                n + 1,
                shard.index,
                shard.count
            ));
        }
        if std::mem::replace(&mut seen[shard.index as usize], true) {
            return Err(format!("shard {}/{count} is given twice", shard.index));
        }
        let summary = file
            .summary()
            .map_err(|e| format!("summary {}: {e}", n + 1))?;
        match &mut total {
            None => total = Some(summary),
            Some(t) => t.merge(&summary),
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!("shard {missing}/{count} is missing"));
    }
    let total = total.expect("at least one file");
    let mut merged = first.clone();
    merged.shard = None;
    merged.tool = crate::trace::tool();
    merged.walks = total.walks;
    merged.steps_taken = total.steps;
    merged.distinct_registers = total.distinct.to_hex();
    for (file, tally) in merged.tallies.iter_mut().zip(&total.tallies) {
        file.walks = tally.walks;
        file.first = tally.first.iter().map(|(w, s)| [*w, *s]).collect();
    }
    Ok(merged)
}
