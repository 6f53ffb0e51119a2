// Package views owns what a person sees: the templ components of every page
// and fragment, and the plain view-model structs they take. One component
// per DOM contract: the markup a page renders on load and the markup an SSE
// update swaps in come from the same component. It imports nothing of ct's
// except the screen model it renders; handlers fill the models.
package views
