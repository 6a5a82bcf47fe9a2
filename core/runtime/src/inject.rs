//! What each component is handed at construction, and what the platform serves: decided from
//! the resolved graph, the services already provided, the replacements and configuration.

use std::any::TypeId;
use std::collections::HashMap;

use crate::component::{Inputs, Role, Service, ServiceKey};
use crate::graph::{Graph, Source};

/// The services component `node` declared, from the providers the graph chose.
///
/// `provided[i]` holds what component `i` provides once initialized; `replacements` holds the
/// replacement values and the loaded configuration sections.
pub(crate) fn inputs(
    graph: &Graph,
    node: u32,
    provided: &[Vec<Service>],
    replacements: &HashMap<ServiceKey, Service>,
) -> Inputs {
    let mut inputs = Inputs::default();
    for (key, source) in graph.sources(node) {
        let Some(type_id) = key.type_id() else { continue };
        match source {
            Source::Component(provider) => {
                inputs.insert(type_id, service_of(&provided[provider as usize], type_id));
            }
            Source::Replaced | Source::Config => {
                inputs.insert(type_id, replacements.get(key).cloned());
            }
            Source::Absent => {}
            Source::Collection(start, end) => {
                let members = graph.members(start, end);
                inputs.insert(
                    type_id,
                    members.iter().filter_map(|&m| service_of(&provided[m as usize], type_id)),
                );
            }
        }
    }
    inputs
}

/// What [`Platform::get`](crate::Platform::get) serves, by service type: each plain provider's
/// service, then the replacements and sections, then the decorators in chain order (so the
/// outermost wins). Members of collections are not served one by one.
pub(crate) fn published(
    graph: &Graph,
    provided: Vec<Vec<Service>>,
    replacements: HashMap<ServiceKey, Service>,
) -> HashMap<TypeId, Service> {
    let mut by_type: HashMap<TypeId, Service> = HashMap::new();
    let mut decorated = Vec::new();
    for (node, services) in provided.into_iter().enumerate() {
        let keys = graph.registrations[node].services();
        for (key, service) in keys.zip(services) {
            let Some(type_id) = key.type_id() else { continue };
            match key.role() {
                Role::Decorator => decorated.push((type_id, service)),
                Role::Member => {}
                _ => {
                    by_type.insert(type_id, service);
                }
            }
        }
    }
    for (key, service) in replacements {
        if let Some(type_id) = key.type_id() {
            by_type.insert(type_id, service);
        }
    }
    by_type.extend(decorated);
    by_type
}

fn service_of(services: &[Service], type_id: TypeId) -> Option<Service> {
    services.iter().find(|service| service.type_id() == type_id).cloned()
}
