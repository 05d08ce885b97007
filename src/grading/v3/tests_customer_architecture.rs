//! v3 on the customer architecture bank (the solutions architect loop):
//! a strong first meeting with a customer earns its level on substance, and
//! a reference architecture recited to any customer does not.

use super::tests::strong_beats_generic_and_elsewhere;

/// A strong answer to the retailer moving its monolith and SQL Server before
/// the holiday peak: questions first, a pattern for the deadline, the peak,
/// a cutover with a way back, the choice put to the board, and what it costs.
const RETAILER: &str = "Before I'd draw anything I'd want last Black Friday in numbers: orders \
per minute at the peak, concurrent sessions, and what actually fell over for those two hours, \
because if it was the database then moving the web servers fixes nothing. I'd also ask what the \
monolith talks to in the stores and which SQL Server features they rely on, like agent jobs or \
linked servers. With eighteen months on the lease and a peak they cannot move, I wouldn't rewrite \
into microservices; I'd replatform, the monolith onto App Service behind a load balancer and the \
database onto Azure SQL Managed Instance, because it is nearly fully compatible. For the peak, \
sessions move out of process so the web tier can scale out ahead of the weekend, a CDN serves the \
product images, and a read replica plus a catalogue cache take the browsing load off the primary, \
since that is the one part that cannot scale out. The database would replicate continuously from \
the data centre and cut over in a short window in the spring, with a rehearsed way back, and \
nothing moves in the two months before Black Friday. Before the freeze we'd load test at twelve \
times a normal day. For the board I'd lay out two options, move now and modernise checkout next \
year, or modernise first and risk the lease date, and recommend the first because every step can \
be undone. Cost-wise their SQL licences carry over with Hybrid Benefit, the baseline goes on \
reserved capacity and only the peak autoscales, which I'd estimate per month against the data \
centre.";

/// Architecture vocabulary true of any customer, with nothing of this one.
const GENERIC_ARCHITECTURE: &str = "I'd start by understanding the customer's requirements \
and business needs. Then I'd propose a modern cloud-native architecture using microservices, \
containers and Kubernetes, with a well-architected framework approach covering reliability, \
security, cost optimisation, operational excellence and performance efficiency. I'd use managed \
services wherever possible and make sure everything is highly available and scalable. Security \
would follow zero trust and defence in depth, with encryption everywhere. I'd migrate in phases \
following a cloud adoption framework, starting with a proof of concept. I'd set up monitoring, \
DevOps pipelines and infrastructure as code. Finally I'd communicate the trade-offs clearly to \
stakeholders and make sure the customer is successful.";

#[test]
fn a_customer_specific_architecture_beats_a_reference_one_and_earns_nothing_elsewhere() {
    let (own, generic, elsewhere) = strong_beats_generic_and_elsewhere(
        "customer-architecture-retailer-sql-server-peak",
        "customer-architecture-bank-data-residency",
        RETAILER,
        GENERIC_ARCHITECTURE,
    );
    assert_eq!(own.rubric_id, "customer-architecture");
    assert!(generic.overall <= 2.0, "{generic:#?}");
    assert!(elsewhere.overall < own.overall - 1.0, "{elsewhere:#?}");
    // Discovery is judged on what this customer was asked.
    let discovery = own.dimensions.iter().find(|d| d.id == "discovery").unwrap();
    assert!(!discovery.evidence.is_empty(), "{own:#?}");
}
