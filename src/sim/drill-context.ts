// The kube context every drill and `warroom sim` writes: a cockpit connected to it is in a drill
// (a gameday screen joined through sim's config shows the DRILL badge too).
export const DRILL_CONTEXT = 'warroom-drill';
