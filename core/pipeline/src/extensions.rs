//! [`Extensions`]: a typed map for the user's own values in a context.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

/// A map from a type to one value of that type, like `http::Extensions`.
///
/// Keys are types, not strings: a component that stores a `RequestStart` reads back a
/// `RequestStart`, and two components cannot collide unless they share the type.
///
/// ```
/// use weft::pipeline::Extensions;
///
/// #[derive(Debug, PartialEq)]
/// struct TraceId(u64);
///
/// let mut extensions = Extensions::new();
/// assert!(extensions.insert(TraceId(7)).is_none());
/// assert_eq!(extensions.get::<TraceId>(), Some(&TraceId(7)));
/// assert_eq!(extensions.remove::<TraceId>(), Some(TraceId(7)));
/// assert!(extensions.get::<TraceId>().is_none());
/// ```
#[derive(Default)]
pub struct Extensions {
    // `None` until the first insert, so contexts that never use extensions never allocate.
    map: Option<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
}

impl Extensions {
    /// An empty map; it allocates on the first insert.
    ///
    /// ```
    /// let extensions = weft::pipeline::Extensions::new();
    /// assert!(extensions.is_empty());
    /// ```
    pub fn new() -> Self {
        Extensions { map: None }
    }

    /// Stores `value`, returning the previous value of type `T`, if any.
    ///
    /// ```
    /// let mut extensions = weft::pipeline::Extensions::new();
    /// extensions.insert(1u8);
    /// assert_eq!(extensions.insert(2u8), Some(1));
    /// ```
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> Option<T> {
        self.map
            .get_or_insert_with(HashMap::new)
            .insert(TypeId::of::<T>(), Box::new(value))
            .and_then(|old| old.downcast::<T>().ok().map(|old| *old))
    }

    /// The value of type `T`, if any.
    ///
    /// ```
    /// let mut extensions = weft::pipeline::Extensions::new();
    /// extensions.insert("tag");
    /// assert_eq!(extensions.get::<&str>(), Some(&"tag"));
    /// ```
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map.as_ref()?.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The value of type `T`, mutably, if any.
    ///
    /// ```
    /// let mut extensions = weft::pipeline::Extensions::new();
    /// extensions.insert(1u32);
    /// if let Some(n) = extensions.get_mut::<u32>() {
    ///     *n += 1;
    /// }
    /// assert_eq!(extensions.get::<u32>(), Some(&2));
    /// ```
    pub fn get_mut<T: Send + Sync + 'static>(&mut self) -> Option<&mut T> {
        self.map.as_mut()?.get_mut(&TypeId::of::<T>())?.downcast_mut()
    }

    /// Removes and returns the value of type `T`, if any.
    ///
    /// ```
    /// let mut extensions = weft::pipeline::Extensions::new();
    /// extensions.insert(3i64);
    /// assert_eq!(extensions.remove::<i64>(), Some(3));
    /// ```
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> Option<T> {
        let old = self.map.as_mut()?.remove(&TypeId::of::<T>())?;
        old.downcast::<T>().ok().map(|old| *old)
    }

    /// Whether the map holds no value.
    ///
    /// ```
    /// let mut extensions = weft::pipeline::Extensions::new();
    /// extensions.insert(());
    /// assert!(!extensions.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.as_ref().is_none_or(HashMap::is_empty)
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.map.as_ref().map_or(0, HashMap::len))
            .finish_non_exhaustive()
    }
}
