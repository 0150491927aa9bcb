//! A simulation's summary as JSON, so that shards run on different machines can be merged
//! into the summary of the whole run (`resync-check merge`). It holds no timings: the same
//! walks give the same bytes.

use serde::{Deserialize, Serialize};

use crate::distinct::Distinct;
use crate::model_file::property_list;
use crate::properties::PROPERTIES;
use crate::step::Step;
use crate::trace::ModelInfo;
use crate::trace::text::count;

use super::{FIRST_KEPT, MAX_RUNS, MAX_STEPS, Options, Policy, Shard, Summary, Tally, Walks};

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

    /// Parses a summary and checks that it is one a run could have written (see
    /// [`SummaryFile::validate`]).
    pub fn from_json(text: &str) -> Result<SummaryFile, String> {
        let file: SummaryFile = crate::json::parse(text)?;
        if file.format_version != FORMAT_VERSION {
            return Err(format!(
                "format_version {} is not supported (this tool reads version {FORMAT_VERSION})",
                file.format_version
            ));
        }
        file.validate()?;
        Ok(file)
    }

    /// Checks everything a run fixes: the model and the run's parameters are valid, the walk
    /// count is the shard's, the steps fit in those walks, every tally fits in the walks, its
    /// first walks are walks of the shard (in order, each once) within the step bound, and
    /// the registers hold ranks a register can hold, no more of them set than states were
    /// seen. What only the walks themselves can show (that a walk does violate a property at
    /// the step said) is checked when the walk is re-run.
    pub fn validate(&self) -> Result<(), String> {
        if self.tool != crate::trace::tool() {
            return Err(format!(
                "`tool` is `{}`, but this is {}: walks of another version may differ",
                self.tool.escape_debug(),
                crate::trace::tool()
            ));
        }
        crate::trace::replay::check_name(&self.model.name)?;
        self.model.config().map_err(|e| format!("`model`: {e}"))?;
        self.model.check_complete()?;
        if let Some(i) = self.script.iter().position(Step::has_outcome) {
            return Err(format!(
                "`script` step {}: a script names actions only, without lines or state",
                i + 1
            ));
        }
        for (name, value, max) in [
            ("runs", self.runs, MAX_RUNS),
            ("steps", self.steps, MAX_STEPS),
        ] {
            if value == 0 || value > max {
                return Err(format!("`{name}` is {value}, not between 1 and {max}"));
            }
        }
        let shard = self.shard().map_err(|e| format!("`shard`: {e}"))?;
        property_list(&self.properties, "`properties`")?;
        if self.tallies.len() != self.properties.len() {
            return Err(format!(
                "`tallies` has {} entries for {} properties",
                self.tallies.len(),
                self.properties.len()
            ));
        }
        let walks = Walks::of(&Options {
            seed: self.seed,
            runs: self.runs,
            steps: self.steps,
            threads: 1,
            policy: self.policy,
            shard,
            walk: None,
        });
        let which = match &self.shard {
            Some(text) => format!("shard {text} of {} walks", self.runs),
            None => format!("a run of {} walks", self.runs),
        };
        if self.walks != walks.len() {
            return Err(format!(
                "`walks` is {}, but {which} has {}",
                self.walks,
                walks.len()
            ));
        }
        if u128::from(self.steps_taken) > u128::from(self.walks) * u128::from(self.steps) {
            return Err(format!(
                "`steps_taken` is {}, more than {} walks of at most {} steps can take",
                self.steps_taken, self.walks, self.steps
            ));
        }
        let distinct = Distinct::from_hex(&self.distinct_registers)
            .map_err(|e| format!("`distinct_registers` {e}"))?;
        let seen = u128::from(self.walks) + u128::from(self.steps_taken);
        if u128::from(distinct.occupied()) > seen {
            return Err(format!(
                "`distinct_registers` has {} registers set, more than the {seen} states the \
                 walks saw",
                distinct.occupied()
            ));
        }
        for (i, (tally, property)) in self.tallies.iter().zip(&self.properties).enumerate() {
            let at = format!("`tallies[{i}]` ({property})");
            if &tally.property != property {
                return Err(format!(
                    "{at}: is a tally of `{}`, not of `{property}`",
                    tally.property
                ));
            }
            if tally.walks > self.walks {
                return Err(format!(
                    "{at}: `walks` is {}, more than the {} walks run",
                    tally.walks, self.walks
                ));
            }
            let kept = tally.walks.min(FIRST_KEPT as u64);
            if tally.first.len() as u64 != kept {
                return Err(format!(
                    "{at}: `first` lists {}, but a tally of {} keeps {kept}",
                    count(tally.first.len(), "walk"),
                    count(tally.walks, "walk")
                ));
            }
            for (k, [walk, step]) in tally.first.iter().enumerate() {
                if !walks.covers(*walk) {
                    return Err(format!("{at}: walk {walk} is not one of {which}"));
                }
                if *step > self.steps {
                    return Err(format!(
                        "{at}: walk {walk} at step {step}, beyond the {} steps a walk takes",
                        self.steps
                    ));
                }
                if k > 0 && tally.first[k - 1][0] >= *walk {
                    return Err(format!(
                        "{at}: `first` is not in walk order, each walk once (walk {walk} \
                         after walk {})",
                        tally.first[k - 1][0]
                    ));
                }
            }
        }
        Ok(())
    }

    /// The first field in which `other` is of another run than `self`, if any.
    pub fn differs(&self, other: &SummaryFile) -> Option<String> {
        let model = [
            ("model.name", self.model.name != other.model.name),
            ("model.edition", self.model.edition != other.model.edition),
            ("model.clauses", self.model.clauses != other.model.clauses),
            ("model.clients", self.model.clients != other.model.clients),
            (
                "model.messages",
                self.model.messages != other.model.messages,
            ),
            (
                "model.commands",
                self.model.commands != other.model.commands,
            ),
            (
                "model.arrivals",
                self.model.arrivals != other.model.arrivals,
            ),
            (
                "model.removals",
                self.model.removals != other.model.removals,
            ),
            ("description", self.description != other.description),
            ("script", self.script != other.script),
            ("seed", self.seed != other.seed),
            ("runs", self.runs != other.runs),
            ("steps", self.steps != other.steps),
            ("policy", self.policy != other.policy),
            ("properties", self.properties != other.properties),
        ];
        model
            .iter()
            .find(|(_, differs)| *differs)
            .map(|(field, _)| field.to_string())
    }

    /// The tallies as a [`Summary`].
    pub fn summary(&self) -> Result<Summary, String> {
        let distinct = Distinct::from_hex(&self.distinct_registers)
            .map_err(|e| format!("`distinct_registers` {e}"))?;
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
    let mut seen = std::collections::BTreeSet::new();
    let mut total: Option<Summary> = None;
    for (n, file) in files.iter().enumerate() {
        if let Some(field) = first.differs(file) {
            return Err(format!(
                "summary {} is of another run: its `{field}` differs from the first's",
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
        if !seen.insert(shard.index) {
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
    // Each index is below `count` and given once, so N files of N shards are all of them.
    if (seen.len() as u64) < count {
        let missing = (0..count).find(|i| !seen.contains(i)).unwrap_or_default();
        return Err(format!("shard {missing}/{count} is missing"));
    }
    let Some(total) = total else {
        return Err("nothing to merge".to_string());
    };
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
