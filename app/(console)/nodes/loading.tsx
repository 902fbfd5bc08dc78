// The same skeleton as the sessions list while this page renders on the server.
export { default } from '../(list)/loading';
