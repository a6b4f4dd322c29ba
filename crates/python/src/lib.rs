//! `rstscope._rstscope`: the native half of the Python package. Glue only:
//! take a path or bytes, run the same analysis as the CLI with the GIL
//! released, and hand back JSON (a report, or NDJSON rows) for the Python
//! half (`python/rstscope/`) to turn into dicts and Arrow record batches.

use std::path::{Path, PathBuf};

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rstscope_batch::{analyze_pair, rows, Error, PairError, RowKind, Source};

create_exception!(
    _rstscope,
    CaptureError,
    PyValueError,
    "The input is not a capture rstscope can read (the message says what it looks like and where)."
);

/// A capture as Python gives it: a path, or its bytes.
enum Input<'py> {
    Path(PathBuf),
    /// `bytes` are read in place: they cannot change while the GIL is released.
    Bytes(Bound<'py, PyBytes>),
}

impl<'py> Input<'py> {
    fn from_py(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(Input::Bytes(bytes.clone()));
        }
        if let Ok(path) = obj.extract::<PathBuf>() {
            return Ok(Input::Path(path));
        }
        // Any other buffer (bytearray, memoryview, pyarrow.Buffer, mmap) is
        // copied once into `bytes`; `memoryview` refuses what is no buffer.
        let view = obj
            .py()
            .import("builtins")?
            .getattr("memoryview")?
            .call1((obj,))?;
        Ok(Input::Bytes(
            view.call_method0("tobytes")?.cast_into::<PyBytes>()?,
        ))
    }

    fn source(&self) -> Source<'_> {
        match self {
            Input::Path(path) => Source::Path(path),
            Input::Bytes(bytes) => Source::Bytes(bytes.as_bytes()),
        }
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Input::Path(path) => Some(path),
            Input::Bytes(_) => None,
        }
    }
}

/// `which` names the capture in a CaptureError ("peer capture: ").
fn py_error(py: Python<'_>, err: Error, input: &Input<'_>, which: &str) -> PyErr {
    match err {
        Error::Open(err) => open_error(py, err, input.path()),
        Error::Read(err) => CaptureError::new_err(format!("{which}{err}")),
    }
}

/// The OSError subclass Python itself would raise (FileNotFoundError, ...),
/// with the errno, its text and the file name.
fn open_error(py: Python<'_>, err: std::io::Error, path: Option<&Path>) -> PyErr {
    let Some(path) = path.map(|p| p.display().to_string()) else {
        return err.into();
    };
    let class = PyErr::from(std::io::Error::from(err.kind())).get_type(py);
    let Some(errno) = err.raw_os_error() else {
        return PyErr::from_type(class, format!("{path}: {err}"));
    };
    let text = err.to_string();
    let text = text
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string();
    PyErr::from_type(class, (errno, text, path))
}

/// The report of `capture` (compared with `peer`, if given) as JSON bytes.
#[pyfunction]
#[pyo3(signature = (capture, peer=None))]
fn analyze_json<'py>(
    py: Python<'py>,
    capture: &Bound<'py, PyAny>,
    peer: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let main = Input::from_py(capture)?;
    let peer = peer.map(Input::from_py).transpose()?;
    // Paths and byte slices only cross into the GIL-free closure.
    let sources = (main.source(), peer.as_ref().map(Input::source));
    let json = py.detach(|| {
        let report = analyze_pair(sources.0, sources.1)?;
        Ok(serde_json::to_vec(&report))
    });
    let json = json.map_err(|err| match (err, &peer) {
        (PairError::Main(err), _) => py_error(py, err, &main, ""),
        (PairError::Peer(err), Some(peer)) => py_error(py, err, peer, "peer capture: "),
        (PairError::Peer(err), None) => py_error(py, err, &main, ""),
    })?;
    let json = json.map_err(|err| PyOSError::new_err(err.to_string()))?;
    Ok(PyBytes::new(py, &json))
}

/// The capture's rows of `kind` ("resets", "connections", "incidents" or
/// "captures") as
/// NDJSON bytes, exactly as `rstscope analyze --format ndjson` writes them,
/// with `name` in their `capture` field (a path's own text by default).
#[pyfunction]
#[pyo3(signature = (capture, kind, name=None))]
fn rows_ndjson<'py>(
    py: Python<'py>,
    capture: &Bound<'py, PyAny>,
    kind: &str,
    name: Option<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let kind = match kind {
        "resets" => RowKind::Resets,
        "connections" => RowKind::Connections,
        "incidents" => RowKind::Incidents,
        "captures" => RowKind::Captures,
        other => {
            return Err(PyValueError::new_err(format!(
                "rows are \"resets\", \"connections\", \"incidents\" or \"captures\", not {other:?}"
            )))
        }
    };
    let input = Input::from_py(capture)?;
    let name = name.or_else(|| match &input {
        Input::Path(path) => Some(path.display().to_string()),
        Input::Bytes(_) => None,
    });
    let source = input.source();
    let ndjson = py.detach(|| {
        let outcome = rstscope_batch::analyze(source, |_| {});
        // A capture row carries the error; other rows need a report.
        let outcome = match (kind, outcome) {
            (RowKind::Captures, outcome) => outcome.map_err(|err| err.to_string()),
            (_, Ok(report)) => Ok(report),
            (_, Err(err)) => return Err(err),
        };
        let mut out = Vec::new();
        Ok(rows::write_ndjson(&mut out, kind, name.as_deref(), &outcome).map(|()| out))
    });
    let ndjson = ndjson.map_err(|err| py_error(py, err, &input, ""))?;
    let ndjson = ndjson.map_err(PyErr::from)?;
    Ok(PyBytes::new(py, &ndjson))
}

#[pymodule]
fn _rstscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CaptureError", m.py().get_type::<CaptureError>())?;
    m.add_function(wrap_pyfunction!(analyze_json, m)?)?;
    m.add_function(wrap_pyfunction!(rows_ndjson, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
