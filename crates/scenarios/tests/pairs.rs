//! Two captures of the same traffic (client side behind a NAT, server
//! side), compared: matches, clock, vantages and every RST's verdict.

use rstscope_capture::Sink;
use rstscope_core::compare::compare;
use rstscope_core::report::{Comparison, Report, Warning};
use rstscope_core::{Analyzer, Config, Frame, Vantage};
use rstscope_scenarios::pairs::{pair, write_pair, Pair};
use rstscope_scenarios::Options;

struct Tee {
    analyzer: Analyzer,
    vantage: Vantage,
}

impl Sink for Tee {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.analyzer.push(frame);
        self.vantage.push(frame);
    }
    fn warning(&mut self, warning: Warning) {
        self.analyzer.warn(warning);
    }
}

fn analyze(bytes: &[u8]) -> (Report, Vantage) {
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: Vantage::default(),
    };
    rstscope_capture::read_all(bytes, &mut tee, |_| {}).expect("generated capture");
    (tee.analyzer.finish(), tee.vantage)
}

fn run(options: &Options) -> (Pair, (Report, Vantage), (Report, Vantage)) {
    let pair = pair(options);
    let (c, s) = write_pair(&pair, options);
    (pair, analyze(&c), analyze(&s))
}

#[test]
fn explore() {
    let (pair, c, s) = run(&Options::default());
    let cmp: Comparison = compare((&c.0, &c.1), (&s.0, &s.1));
    println!("{:#?}", pair.connections);
    println!("{:#?}", pair.resets);
    println!("{:#?}", c.0.connections.iter().map(|c| (c.id, &c.client, &c.server)).collect::<Vec<_>>());
    println!("{:#?}", s.0.connections.iter().map(|c| (c.id, &c.client, &c.server)).collect::<Vec<_>>());
    println!("{cmp:#?}");
}

#[test]
#[ignore]
fn write_files() {
    let options = Options::default();
    let (c, s) = write_pair(&pair(&options), &options);
    std::fs::write("/tmp/pair-client.pcapng", c).unwrap();
    std::fs::write("/tmp/pair-server.pcapng", s).unwrap();
}
