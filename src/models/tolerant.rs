//! Tolerant reading of the API's JSON, as the contract's "tolerant reading" rule asks,
//! in one place for every model:
//!
//! - a number may arrive as a JSON string (`"cpu": "0.5"`, `"memory": "16"`), and a
//!   string field may arrive as a number (`"id": 42`);
//! - `null` and a missing field are the field's default (with
//!   `#[serde(default, deserialize_with = "tolerant::value")]`); only identity fields
//!   ([`identity`], a JSON string strictly) and the few fields an answer means nothing
//!   without ([`required`]) make them a decode error;
//! - a fractional value for an integer field is truncated toward zero (`15.9` GB is
//!   15), a negative one or one out of range is a decode error;
//! - enum-like strings are matched without regard to ASCII case by their own types
//!   (see [`PodStatus`](crate::PodStatus)), built on [`Scalar`].
//!
//! Request bodies go the other way with [`integral_number`]: a whole `f64` is written
//! as an integer (`"cpu": 4`, not `4.0`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};

/// A JSON scalar as it arrived, before it is read as the field's type.
#[derive(Debug, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A type a [`Scalar`] can be read as. `Ok(None)` means "no value" (`null`, or a blank
/// string where a number or boolean was expected): the field's default.
pub(crate) trait Loose: Sized {
    fn from_scalar(scalar: Scalar) -> Result<Option<Self>, String>;
}

impl Loose for String {
    fn from_scalar(scalar: Scalar) -> Result<Option<Self>, String> {
        Ok(match scalar {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Str(s) => Some(s),
        })
    }
}

impl Loose for bool {
    fn from_scalar(scalar: Scalar) -> Result<Option<Self>, String> {
        match scalar {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Int(0) => Ok(Some(false)),
            Scalar::Int(1) => Ok(Some(true)),
            Scalar::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(None),
                "true" | "1" | "yes" => Ok(Some(true)),
                "false" | "0" | "no" => Ok(Some(false)),
                _ => Err(format!("expected a boolean, found the string {s:?}")),
            },
            other => Err(format!("expected a boolean, found {other:?}")),
        }
    }
}

impl Loose for f64 {
    fn from_scalar(scalar: Scalar) -> Result<Option<Self>, String> {
        let value = match scalar {
            Scalar::Null => return Ok(None),
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
            Scalar::Str(s) if s.trim().is_empty() => return Ok(None),
            Scalar::Str(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("expected a number, found the string {s:?}"))?,
            Scalar::Bool(b) => return Err(format!("expected a number, found {b}")),
        };
        if value.is_finite() {
            Ok(Some(value))
        } else {
            Err(format!("expected a finite number, found {value}"))
        }
    }
}

macro_rules! loose_integer {
    ($($t:ty),*) => {$(
        impl Loose for $t {
            fn from_scalar(scalar: Scalar) -> Result<Option<Self>, String> {
                let whole: i128 = match scalar {
                    Scalar::Int(i) => i,
                    Scalar::Str(ref s) if s.trim().parse::<i128>().is_ok() => {
                        s.trim().parse::<i128>().unwrap_or_default()
                    }
                    other => match f64::from_scalar(other)? {
                        None => return Ok(None),
                        // In range of i128 after the finite check; out-of-range
                        // values saturate and fail the conversion below.
                        Some(f) => f.trunc() as i128,
                    },
                };
                <$t>::try_from(whole).map(Some).map_err(|_| {
                    format!("{whole} is out of range for {}", stringify!($t))
                })
            }
        }
    )*};
}

loose_integer!(u16, u32, u64, i32, i64);

fn read<'de, D: Deserializer<'de>, T: Loose>(deserializer: D) -> Result<Option<T>, D::Error> {
    let scalar = Scalar::deserialize(deserializer)?;
    T::from_scalar(scalar).map_err(de::Error::custom)
}

/// A field whose `null` (and, with `#[serde(default)]`, absence) is its default.
pub(crate) fn value<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Loose + Default,
{
    Ok(read(deserializer)?.unwrap_or_default())
}

/// An optional field: `null` and a blank number are `None`.
pub(crate) fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Loose,
{
    read(deserializer)
}

/// An optional text whose empty value means none (an exec's standard error): `null`,
/// absent and `""` are `None`.
pub(crate) fn non_empty<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(read::<D, String>(deserializer)?.filter(|text| !text.is_empty()))
}

/// An identity field (`id`): a JSON string, strictly. Absent, `null` or anything else
/// (a number where `pod_…` belongs means the answer is not what was asked for) is a
/// decode error.
pub(crate) fn identity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    String::deserialize(deserializer)
}

/// A field without which the answer means nothing (an exec's `exit_code`): absent or
/// `null` is a decode error, but a number may still come as a string.
pub(crate) fn required<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Loose,
{
    read(deserializer)?.ok_or_else(|| de::Error::custom("a required field is null"))
}

/// A list of scalars (`"ports": [8888, "6006"]`); `null` is empty.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Loose,
{
    Option::<Vec<Scalar>>::deserialize(deserializer)?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|scalar| T::from_scalar(scalar).transpose())
        .collect::<Result<_, _>>()
        .map_err(de::Error::custom)
}

/// A list of objects; `null` is empty.
pub(crate) fn seq<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A nested object whose `null` is its default.
pub(crate) fn nested<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A string-to-string map (`env`, `labels`); `null` is empty, numbers and booleans
/// are taken as their text, a `null` value as an empty string.
pub(crate) fn string_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    Option::<BTreeMap<String, Scalar>>::deserialize(deserializer)?
        .unwrap_or_default()
        .into_iter()
        .map(|(key, scalar)| Ok((key, String::from_scalar(scalar)?.unwrap_or_default())))
        .collect::<Result<_, String>>()
        .map_err(de::Error::custom)
}

/// An enum-like string field: `null` or absent is the empty string, which the enum
/// keeps as an unknown value; numbers are taken as their text.
pub(crate) fn enum_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    value(deserializer)
}

/// The currency of an amount: `USD`, the only one the API documents, when absent.
pub(crate) fn currency<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(option::<D, String>(deserializer)?
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(default_currency))
}

/// `USD`, for `#[serde(default = "tolerant::default_currency")]`.
pub(crate) fn default_currency() -> String {
    "USD".to_owned()
}

/// Writes an optional count as an integer when it is whole (`4`, not `4.0`), as the
/// API's examples and older servers expect, and as a decimal otherwise (`0.5`).
pub(crate) fn integral_number<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
    match *value {
        Some(n) if n.fract() == 0.0 && n.abs() < EXACT => serializer.serialize_i64(n as i64),
        Some(n) => serializer.serialize_f64(n),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "identity")]
        id: String,
        #[serde(default, deserialize_with = "option")]
        code: Option<i32>,
        #[serde(default, deserialize_with = "value")]
        count: u32,
        #[serde(default, deserialize_with = "value")]
        share: f64,
        #[serde(default, deserialize_with = "option")]
        limit: Option<i64>,
        #[serde(default, deserialize_with = "value")]
        flag: bool,
        #[serde(default, deserialize_with = "list")]
        ports: Vec<u16>,
        #[serde(default, deserialize_with = "string_map")]
        env: BTreeMap<String, String>,
        #[serde(default = "default_currency", deserialize_with = "currency")]
        currency: String,
    }

    fn sample(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_may_be_strings_and_absent_or_null_fields_are_defaults() {
        let s = sample(
            r#"{"id": "7", "code": "-3", "count": "16", "share": "0.5", "limit": " 3 ", "flag": "TRUE",
                "ports": [8888, "6006", null], "env": {"A": 1, "B": null, "C": "c"}}"#,
        )
        .unwrap();
        assert_eq!((s.id.as_str(), s.code), ("7", Some(-3)));
        assert_eq!(
            (s.count, s.share, s.limit, s.flag),
            (16, 0.5, Some(3), true)
        );
        assert_eq!(s.ports, [8888, 6006]);
        assert_eq!(s.env["A"], "1");
        assert_eq!(s.env["B"], "");
        assert_eq!(s.currency, "USD");

        let s = sample(
            r#"{"id": "x", "count": null, "share": null, "limit": "", "flag": null,
                "ports": null, "env": null, "currency": null}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            Sample {
                id: "x".into(),
                currency: "USD".into(),
                ..Sample::default()
            }
        );
        assert_eq!(sample(r#"{"id": "x"}"#).unwrap().count, 0);
    }

    #[test]
    fn only_a_missing_or_null_identity_is_an_error() {
        assert!(sample("{}").unwrap_err().to_string().contains("id"));
        assert!(sample(r#"{"id": null}"#).is_err());
        assert!(sample(r#"{"id": 5}"#).is_err());
    }

    #[test]
    fn fractions_truncate_and_nonsense_is_an_error_not_a_panic() {
        assert_eq!(sample(r#"{"id":"x","count":15.9}"#).unwrap().count, 15);
        assert_eq!(sample(r#"{"id":"x","count":"2.0"}"#).unwrap().count, 2);
        for bad in [
            r#"{"id":"x","count":-1}"#,
            r#"{"id":"x","count":"1e300"}"#,
            r#"{"id":"x","count":1e300}"#,
            r#"{"id":"x","count":"many"}"#,
            r#"{"id":"x","share":"NaN"}"#,
            r#"{"id":"x","share":"inf"}"#,
            r#"{"id":"x","share":true}"#,
            r#"{"id":"x","count":[1]}"#,
            r#"{"id":"x","ports":[70000]}"#,
            r#"{"id":"x","flag":"maybe"}"#,
        ] {
            assert!(sample(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn whole_counts_serialize_as_integers() {
        #[derive(Serialize)]
        struct Body {
            #[serde(serialize_with = "integral_number")]
            n: Option<f64>,
        }
        let json = |n| serde_json::to_string(&Body { n }).unwrap();
        assert_eq!(json(Some(4.0)), r#"{"n":4}"#);
        assert_eq!(json(Some(0.5)), r#"{"n":0.5}"#);
        assert_eq!(json(None), r#"{"n":null}"#);
        assert_eq!(json(Some(1e300)), r#"{"n":1e+300}"#);
    }
}
