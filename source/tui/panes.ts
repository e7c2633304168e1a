// The five panes, in focus order (Tab, and the digits 1–5).

export const panes = ['processes', 'memory', 'frames', 'log', 'program'] as const;
export type Pane = (typeof panes)[number];

export const paneTitles: Record<Pane, string> = {
	processes: 'Processes',
	memory: 'Memory',
	frames: 'Frames',
	log: 'Log',
	program: 'Program',
};
