// The bundle's entry (build/web.ts): styles, then the shell rendered into <body>.
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { render } from 'preact';
import { App } from './app.ts';
import { html } from './html.ts';

render(html`<${App} />`, document.getElementById('app')!);
