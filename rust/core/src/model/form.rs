//! How a workload runs on its host (container or VM), the forms it may take, and a plan's shape.

/// How a workload runs on its host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// On the host's own kernel: cheap, shares the kernel with its neighbours.
    Container = 0,
    /// In its own guest OS: isolated, costs a guest OS and a CPU factor.
    Vm = 1,
}

impl Form {
    /// The order in which a host tries the forms: container first, then VM.
    pub const TRY_ORDER: [Form; 2] = [Form::Container, Form::Vm];

    pub fn name(self) -> &'static str {
        match self {
            Form::Container => "container",
            Form::Vm => "vm",
        }
    }
}

/// A plan: per workload in input order, its host and form (None: unplaced).
pub type Placement = Vec<Option<(u32, Form)>>;

/// The forms a workload may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FormSet(u8);

impl FormSet {
    pub const CONTAINER: FormSet = FormSet(1);
    pub const VM: FormSet = FormSet(2);
    pub const ANY: FormSet = FormSet(3);

    pub fn from_bits(bits: u8) -> Option<FormSet> {
        (1..=3).contains(&bits).then_some(FormSet(bits))
    }

    pub fn allows(self, form: Form) -> bool {
        self.0 & (1 << form as u8) != 0
    }
}
